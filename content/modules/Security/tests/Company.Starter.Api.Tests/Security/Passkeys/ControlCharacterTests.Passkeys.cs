namespace Company.Starter.Api.Tests.Security;

public sealed partial class ControlCharacterTests
{
    static partial void AddPasskeyRequests(List<(string Path, object Body)> requests, string email) => requests.AddRange(
    [
        ("/api/auth/passkeys/creation-options", new { email }),
        ("/api/auth/passkeys/request-options", new { email }),
    ]);
}
