namespace Company.Starter.Messaging.Consumers;

/// <summary>
/// A message that can never be handled as it is (a malformed envelope, an unknown event version, data that fails
/// validation): the consumer sends it to the dead letters at once instead of retrying. Any other exception is taken
/// for a fault of the moment (the database was busy, a deadlock, a timeout) and retried with backoff; after the last
/// attempt it is dead-lettered too, unless it is a fault of the infrastructure (MessageConsumer.IsInfrastructureFault).
/// </summary>
public class PermanentMessageException(string message, Exception? inner = null) : Exception(message, inner);
