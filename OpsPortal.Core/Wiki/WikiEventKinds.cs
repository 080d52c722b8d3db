namespace OpsPortal.Core.Wiki;

/// <summary>Event kinds the wiki writes on the spine (subject type <c>wiki_page</c>, subject id the page id).</summary>
public static class WikiEventKinds
{
    public const string SubjectType = "wiki_page";
    public const string PageCreated = "wiki.page_created";
    public const string PageEdited = "wiki.page_edited";
    public const string PageMoved = "wiki.page_moved";
    public const string PageRestored = "wiki.page_restored";
    public const string ImageUploaded = "wiki.image_uploaded";
}
