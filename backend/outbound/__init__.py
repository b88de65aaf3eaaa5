"""Outbound delivery: the table's stream turned into e-mail and webhooks, and idle-cart reminders.

One consumer (``consumer.StreamConsumer``) handles DynamoDB Streams records wherever they come from: as the Lambda
on the table's stream (``lambda_entry.stream_handler``) or from the background worker beside the embedded store
(``worker``). Every message is claimed once in the table before it is sent (``ledger``).
"""
