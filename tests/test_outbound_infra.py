"""infra/template.yaml deploys the outbound functions as the code expects: the consumer on the table's stream with
partial-batch answers and an on-failure queue, the reminder sweep on a schedule, each with a role that names its
resources and nothing more."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from typing import Any

import pytest

from backend.outbound.records import parse_record
from backend.outbound.translate import work_for
from backend.settings import Settings
from tests.test_infra import REPO_ROOT, function_environment, load_template, resolve_string

STREAM_ACTIONS = {"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"}
ITEM_ACTIONS = {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem",
                "dynamodb:ConditionCheckItem"}  # fmt: skip
FUNCTIONS = {
    "OutboundFunction": "backend.outbound.lambda_entry.stream_handler",
    "ReminderFunction": "backend.outbound.lambda_entry.reminder_handler",
}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def role_statements(template: dict[str, Any], function_id: str) -> list[dict[str, Any]]:
    role_id = template["Resources"][function_id]["Properties"]["Role"]["Fn::GetAtt"][0]
    statements = []
    for policy in template["Resources"][role_id]["Properties"]["Policies"]:
        documents = policy["Fn::If"][1:] if "Fn::If" in policy else [policy]
        for document in documents:
            if isinstance(document, dict) and "PolicyDocument" in document:
                statements.extend(document["PolicyDocument"]["Statement"])
    return statements


@pytest.mark.parametrize(("function_id", "handler"), FUNCTIONS.items())
def test_each_outbound_function_runs_its_handler(template: dict[str, Any], function_id: str, handler: str) -> None:
    assert template["Resources"][function_id]["Properties"]["Handler"] == handler
    module_name, _, attribute = handler.rpartition(".")
    assert callable(getattr(importlib.import_module(module_name), attribute))
    script = f"import sys\nsys.modules['moto'] = None\nimport {module_name}\nimport backend.outbound.runtime\n"
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]


def test_the_consumer_reads_the_table_stream_with_partial_batch_answers_and_an_on_failure_queue(
    template: dict[str, Any],
) -> None:
    (event,) = template["Resources"]["OutboundFunction"]["Properties"]["Events"].values()
    properties = event["Properties"]
    assert event["Type"] == "DynamoDB"
    assert properties["Stream"] == {"Fn::GetAtt": ["MainTable", "StreamArn"]}
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert properties["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": ["OutboundFailureQueue", "Arn"]
    }
    assert properties["MaximumRetryAttempts"] > 0 and properties["MaximumRecordAgeInSeconds"] <= 86400


@pytest.mark.parametrize(
    ("kind", "becomes_work"),
    [("outbox", True), ("event", True), ("order", True), ("cart", True), ("delivery", False), ("profile", False)],
)
def test_the_stream_filter_lets_through_exactly_the_kinds_that_become_messages(
    template: dict[str, Any], kind: str, becomes_work: bool
) -> None:
    (event,) = template["Resources"]["OutboundFunction"]["Properties"]["Events"].values()
    (pattern,) = (json.loads(f["Pattern"]) for f in event["Properties"]["FilterCriteria"]["Filters"])
    allowed = set(pattern["dynamodb"]["NewImage"]["kind"]["S"])
    image = {"pk": {"S": "CUST#1"}, "sk": {"S": "X"}, "kind": {"S": kind}, "channel": {"S": "email"},
             "state": {"S": "pending"}, "message_id": {"S": "m"}, "event_id": {"S": "e"}, "type": {"S": "t"},
             "order_id": {"S": "o"}, "source": {"S": "voice"}, "version": {"N": "1"}}  # fmt: skip
    record = {"eventName": "INSERT", "dynamodb": {"Keys": {"pk": image["pk"], "sk": image["sk"]}, "NewImage": image,
                                                  "SequenceNumber": "1"}}  # fmt: skip
    assert (kind in allowed) is becomes_work
    assert bool(work_for(parse_record(record))) is becomes_work


def test_the_reminder_sweep_runs_every_minute_one_at_a_time(template: dict[str, Any]) -> None:
    function = template["Resources"]["ReminderFunction"]["Properties"]
    (event,) = function["Events"].values()
    assert event["Type"] == "Schedule" and event["Properties"]["Schedule"] == "rate(1 minute)"
    assert function["ReservedConcurrentExecutions"] == 1


@pytest.mark.parametrize("function_id", FUNCTIONS)
def test_outbound_roles_name_their_resources_and_hold_only_item_and_stream_actions(
    template: dict[str, Any], function_id: str
) -> None:
    for statement in role_statements(template, function_id):
        assert statement["Effect"] == "Allow"
        actions = set(_list(statement["Action"]))
        for resource in _list(statement["Resource"]):
            assert resource != "*", f"{statement['Sid']} must name its resources"
        dynamodb = {action for action in actions if action.startswith("dynamodb:")}
        if dynamodb:
            assert dynamodb <= ITEM_ACTIONS | STREAM_ACTIONS | {"dynamodb:ListStreams"}, sorted(dynamodb)
        if dynamodb & STREAM_ACTIONS:
            assert statement["Resource"] == {"Fn::GetAtt": ["MainTable", "StreamArn"]}


def test_only_the_consumer_sends_email_and_only_from_the_configured_identity(template: dict[str, Any]) -> None:
    consumer = [s for s in role_statements(template, "OutboundFunction") if "ses:SendEmail" in _list(s["Action"])]
    (statement,) = consumer
    assert all("identity/" in json.dumps(resource) for resource in statement["Resource"])
    reminders = role_statements(template, "ReminderFunction")
    assert not any(a.startswith(("ses:", "sqs:")) for s in reminders for a in _list(s["Action"]))


def test_the_deployed_consumer_sends_through_ses_when_a_sender_is_given(template: dict[str, Any]) -> None:
    environment = function_environment(template, template["Resources"]["OutboundFunction"])
    sender = environment["VOICECART_EMAIL_SENDER"]
    assert sender == {"Fn::If": ["SendsEmail", "ses", "none"]}
    resolved = {
        name: resolve_string(value, template)
        for name, value in environment.items()
        if name != "VOICECART_EMAIL_SENDER" and name != "VOICECART_EMAIL_FROM"
    }
    settings = Settings.load(env={**resolved, "VOICECART_EMAIL_SENDER": "ses"})
    assert settings.email_sender == "ses" and settings.cart_reminder_after_minutes == 60


def test_the_consumer_publishes_only_to_the_configured_bus(template: dict[str, Any]) -> None:
    (statement,) = [
        s for s in role_statements(template, "OutboundFunction") if "events:PutEvents" in _list(s["Action"])
    ]
    assert "event-bus/${EventBusName}" in statement["Resource"]["Fn::Sub"]
    environment = function_environment(template, template["Resources"]["OutboundFunction"])
    bus = resolve_string(environment["VOICECART_EVENTBRIDGE_BUS"], template)
    assert Settings.load(env={"VOICECART_EVENTBRIDGE_BUS": bus}).eventbridge_bus is None  # the default: no bus
