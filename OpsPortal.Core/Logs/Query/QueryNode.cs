using NpgsqlTypes;

namespace OpsPortal.Core.Logs.Query;

/// <summary>The parsed query. Values are already typed; only the compiler turns nodes into SQL.</summary>
public abstract record QueryNode;

/// <summary>Matches every row (the empty query).</summary>
public sealed record AllNode : QueryNode;

public sealed record AndNode(IReadOnlyList<QueryNode> Items) : QueryNode;

public sealed record OrNode(IReadOnlyList<QueryNode> Items) : QueryNode;

/// <summary>Matches every row the inner node does not, including rows where it is unknown (NULL).</summary>
public sealed record NotNode(QueryNode Inner) : QueryNode;

/// <summary><c>column op value</c>; <see cref="Op"/> is one of = &lt; &lt;= &gt; &gt;=.</summary>
public sealed record CompareNode(QueryField Field, string Op, object Value) : QueryNode;

/// <summary>Inclusive range: <c>500..599</c>, <c>5xx</c>.</summary>
public sealed record BetweenNode(QueryField Field, object Low, object High) : QueryNode;

/// <summary>Case-insensitive LIKE; <see cref="Pattern"/> is already escaped.</summary>
public sealed record LikeNode(QueryField Field, string Pattern) : QueryNode;

/// <summary>Address inside a network: <c>ip:10.0.0.0/8</c>.</summary>
public sealed record WithinNode(QueryField Field, NpgsqlInet Network) : QueryNode;
