using NpgsqlTypes;

namespace OpsPortal.Core.Logs.Query;

/// <summary>The parsed query. Values are already typed; only the compiler turns nodes into SQL.</summary>
public abstract record QueryNode;

/// <summary>Matches every row (the empty query).</summary>
internal sealed record AllNode : QueryNode;

internal sealed record AndNode(IReadOnlyList<QueryNode> Items) : QueryNode;

internal sealed record OrNode(IReadOnlyList<QueryNode> Items) : QueryNode;

/// <summary>Matches every row the inner node does not, including rows where it is unknown (NULL).</summary>
internal sealed record NotNode(QueryNode Inner) : QueryNode;

/// <summary><c>column op value</c>; <see cref="Op"/> is one of = &lt; &lt;= &gt; &gt;=.</summary>
internal sealed record CompareNode(QueryField Field, string Op, object Value) : QueryNode;

/// <summary>Inclusive range: <c>500..599</c>, <c>5xx</c>.</summary>
internal sealed record BetweenNode(QueryField Field, object Low, object High) : QueryNode;

/// <summary>Case-insensitive LIKE; <see cref="Pattern"/> is already escaped.</summary>
internal sealed record LikeNode(QueryField Field, string Pattern) : QueryNode;

/// <summary>Address inside a network: <c>ip:10.0.0.0/8</c>.</summary>
internal sealed record WithinNode(QueryField Field, NpgsqlInet Network) : QueryNode;
