using Company.Starter.Api.Orders;

namespace Microsoft.Extensions.Hosting;

/// <summary>The messaging module's HTTP endpoints: orders, their live notifications and their fulfilment.</summary>
public static partial class MessagingEndpoints
{
    public static WebApplication MapMessagingEndpoints(this WebApplication app)
    {
        app.MapOrderEndpoints();
        MapNotifications(app);
        app.MapFulfilmentEndpoints();
        return app;
    }

    /// <summary>
    /// The Server-Sent Events stream of notifications (Notifications/MessagingEndpoints.Redis.cs); a solution without
    /// Redis leaves the file out and the call compiles to nothing.
    /// </summary>
    static partial void MapNotifications(WebApplication app);
}
