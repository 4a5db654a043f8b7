namespace Company.Starter.Api.Http.Access;

/// <summary>
/// Who may call an operation, as the API declares it. The API says what each operation needs; the module that knows
/// the app's users (where the solution has one) decides how that is enforced, through <see cref="IEndpointAccess"/>
/// and <see cref="IProductAccess"/>. Without such a module every operation is open to everyone.
/// </summary>
public enum EndpointAccess
{
    /// <summary>Anyone, signed in or not.</summary>
    Public,

    /// <summary>Any signed-in user: adds to the catalogue.</summary>
    CatalogWriter,

    /// <summary>
    /// Any signed-in user may reach the operation, which then lets only the product's owner (or an admin) through:
    /// the decision needs the product, so the operation asks <see cref="IProductAccess"/> once it has it.
    /// </summary>
    ProductOwner,

    /// <summary>Administrators only.</summary>
    Admin,
}

/// <summary>The answer to <see cref="IEndpointAccess.CheckAsync"/>.</summary>
public enum AccessDecision
{
    Allowed,

    /// <summary>The caller is not signed in (401, or GraphQL's <c>unauthorized</c>).</summary>
    SignInRequired,

    /// <summary>The caller is signed in but may not do this (403, or GraphQL's <c>forbidden</c>).</summary>
    Forbidden,
}

/// <summary>Declares the access a gRPC method needs (the REST endpoints say it with <see cref="EndpointAccessExtensions.RequireAccess{TBuilder}"/>).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class RequiresAccessAttribute(EndpointAccess access) : Attribute
{
    public EndpointAccess Access { get; } = access;
}
