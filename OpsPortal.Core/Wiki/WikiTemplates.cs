namespace OpsPortal.Core.Wiki;

public sealed record WikiTemplate(string Key, string Name, string Description, string Body);

/// <summary>Starting points for new pages. The runbook template is the shape an engineer expects at 3 a.m.</summary>
public static class WikiTemplates
{
    public static readonly WikiTemplate Blank = new("blank", "Blank page", "An empty page.", "");

    public static readonly WikiTemplate Runbook = new("runbook", "Runbook", "What to do when something breaks: symptoms to rollback.", """
        > **Service:** name it in *Services* above, so incidents and alerts link here. **Owner:** team or person.

        ## Symptoms
        What the alert says, what users see, which graphs move.

        ## Impact
        Who is affected and how badly; what gets worse if nobody acts.

        ## Diagnosis
        1. Check …
        2. Look at the logs: `status:5xx host:…`

        ```bash
        # commands to run, copy-pasteable
        ```

        ## Mitigation
        The fastest safe way to stop the bleeding.

        ## Escalation
        Who to call when the steps above don't work, and after how long.

        ## Rollback
        How to undo the last deploy or change (the [Deploys](/deploys) page has a rollback button).
        """);

    public static readonly WikiTemplate HowTo = new("how-to", "How-to", "Step-by-step instructions for a routine task.", """
        ## When to use this

        ## Before you start
        - [ ] access to …

        ## Steps
        1.
        2.

        ## Check that it worked
        """);

    public static IReadOnlyList<WikiTemplate> All { get; } = [Runbook, HowTo, Blank];

    public static WikiTemplate? Find(string? key) => All.FirstOrDefault(t => t.Key == key);
}
