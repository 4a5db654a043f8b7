using Company.Starter.Api.Orders.Notifications;

namespace Microsoft.Extensions.Hosting;

// The Server-Sent Events stream of notifications, in a file of its own: a solution made without Redis leaves it (and
// the Notifications folder) out, and MapMessagingEndpoints' call compiles to nothing.
public static partial class MessagingEndpoints
{
    static partial void MapNotifications(WebApplication app) => app.MapNotificationEndpoints();
}
