namespace Company.Starter.Data.Paging;

/// <summary>A cursor that this service did not issue, or that was altered on the way back.</summary>
public sealed class InvalidCursorException(string message, Exception? innerException = null)
    : Exception(message, innerException);
