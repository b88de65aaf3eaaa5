"""infra/template.yaml deploys what the code expects: the schema's tables, wired functions, a clean cfn-lint.

The table checks compare the template with ``TableSpec.create_table_kwargs`` (what the code creates locally), so a
schema change without the template change fails here. CloudFormation short tags (!Ref, !GetAtt, !Sub, ...) are read
into their long JSON form by a small SafeLoader subclass.
"""

from __future__ import annotations

import ast
import copy
import dataclasses
import importlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement

from backend.settings import DEMO_SKILL_ID, Settings
from backend.store.schema import MAIN_TABLE, TABLES, IndexSpec, TableSpec
from backend.store.tables import physical_name

REPO_ROOT = Path(__file__).resolve().parents[1]
INFRA = REPO_ROOT / "infra"
TEMPLATE_PATH = INFRA / "template.yaml"

TABLE_TYPE = "AWS::DynamoDB::Table"
FUNCTION_TYPE = "AWS::Serverless::Function"
# Parameter values for resolving names; the rest come from the template's defaults.
PARAMETERS = {"SkillId": DEMO_SKILL_ID, "AWS::StackName": "voicecart-test", "AWS::Region": "us-east-1"}

# Item-level DynamoDB actions a function may hold on a table (transactions are authorised through these).
ITEM_ACTIONS = {
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:BatchWriteItem",
}
# Modules the init phase imports besides the handler module: each must import without moto.
COLD_START_MODULES = ("skill.skill_builder", "backend.services", "backend.catalog.prebuilt")
# Modules a function's init must not import: the skill's Lambda has no web app (Flask is the API function's), and
# no request-signature check (Alexa invokes a Lambda directly: cryptography and the certificate checks are the web
# adapter's).
NOT_AT_INIT = {
    "SkillFunction": ("flask", "skill.app", "skill.pages", "cryptography"),
    "ApiFunction": (),
}
# The template's settings (store AWS, no table created, no demo data) with dummy credentials and an endpoint that
# refuses connections: the init phase must build without moto and without a single call to AWS.
INIT_ENVIRONMENT = {
    "VOICECART_STORE": "aws",
    "VOICECART_TABLE": "voicecart-test",
    "VOICECART_SKILL_ID": DEMO_SKILL_ID,
    "VOICECART_DEMO_DATA": "false",
    "VOICECART_CREATE_TABLES": "false",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
}


class CloudFormationLoader(yaml.SafeLoader):
    """SafeLoader that reads ``!Ref x`` as ``{"Ref": "x"}``, ``!GetAtt a.b`` as ``{"Fn::GetAtt": ["a", "b"]}``..."""


def _construct_intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    key = suffix if suffix in {"Ref", "Condition"} else f"Fn::{suffix}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        assert isinstance(node, yaml.MappingNode)
        value = loader.construct_mapping(node, deep=True)
    return {key: value}


CloudFormationLoader.add_multi_constructor("!", _construct_intrinsic)


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    document = yaml.load(path.read_text(encoding="utf-8"), Loader=CloudFormationLoader)
    assert isinstance(document, dict)
    return document


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


# ---- reading the template -------------------------------------------------------------------------------------


def resources_of_type(template: dict[str, Any], type_name: str) -> dict[str, dict[str, Any]]:
    return {name: body for name, body in template["Resources"].items() if body["Type"] == type_name}


def parameter_values(template: dict[str, Any]) -> dict[str, str]:
    values = {name: str(spec["Default"]) for name, spec in template["Parameters"].items() if "Default" in spec}
    values.update(PARAMETERS)
    return values


def resolve_string(value: Any, template: dict[str, Any]) -> str:
    """Evaluate the few intrinsics that build names (Ref to parameters or tables, Sub) with parameter defaults."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Ref" in value:
        return _resolve_ref(value["Ref"], template)
    if isinstance(value, dict) and "Fn::Sub" in value:
        body = value["Fn::Sub"]
        assert isinstance(body, str), "only the one-string form of !Sub is used for names"
        return re.sub(r"\$\{([^}]+)\}", lambda m: _resolve_ref(m.group(1), template), body)
    raise AssertionError(f"cannot resolve {value!r}")


def _resolve_ref(name: str, template: dict[str, Any]) -> str:
    values = parameter_values(template)
    if name in values:
        return values[name]
    resource = template["Resources"].get(name)
    if resource is not None and resource["Type"] == TABLE_TYPE:
        return resolve_string(resource["Properties"]["TableName"], template)
    raise AssertionError(f"no value for Ref {name!r}")


def function_environment(template: dict[str, Any], function: dict[str, Any]) -> dict[str, Any]:
    """A function's environment with SAM Globals merged in (function values win)."""
    merged = dict(template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {}))
    merged.update(function["Properties"].get("Environment", {}).get("Variables", {}))
    return merged


def function_property(template: dict[str, Any], function: dict[str, Any], name: str) -> Any:
    if name in function["Properties"]:
        return function["Properties"][name]
    return template.get("Globals", {}).get("Function", {}).get(name)


def policy_statements(function: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every statement a function may get, taking both branches of a conditional (!If) policy."""
    for policy in function["Properties"].get("Policies", []):
        documents = policy["Fn::If"][1:] if isinstance(policy, dict) and "Fn::If" in policy else [policy]
        for document in documents:
            if isinstance(document, dict) and "Statement" in document:
                yield from document["Statement"]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def deployed_table_name(template: dict[str, Any]) -> str:
    """The base table name the functions are given (VOICECART_TABLE), as Settings will read it."""
    skill = template["Resources"]["SkillFunction"]
    return resolve_string(function_environment(template, skill)["VOICECART_TABLE"], template)


def table_resource_for(template: dict[str, Any], spec: TableSpec) -> tuple[str, dict[str, Any]]:
    expected_name = physical_name(deployed_table_name(template), spec)
    for logical_id, resource in resources_of_type(template, TABLE_TYPE).items():
        if resolve_string(resource["Properties"]["TableName"], template) == expected_name:
            return logical_id, resource
    raise AssertionError(f"template has no table named {expected_name!r} for schema table {spec.logical_name!r}")


def table_differences(properties: dict[str, Any], spec: TableSpec) -> list[str]:
    """How a template table differs from the schema (keys, attributes, indexes, TTL, stream); empty when equal."""
    expected = spec.create_table_kwargs("unused")
    problems: list[str] = []

    def differ(what: str, actual: Any, wanted: Any) -> None:
        if actual != wanted:
            problems.append(f"{what}: template {actual!r} != schema {wanted!r}")

    differ("BillingMode", properties.get("BillingMode"), expected["BillingMode"])
    differ("KeySchema", properties.get("KeySchema"), expected["KeySchema"])
    differ(
        "AttributeDefinitions",
        _by_attribute_name(properties.get("AttributeDefinitions", [])),
        _by_attribute_name(expected["AttributeDefinitions"]),
    )
    actual_indexes = {
        index["IndexName"]: {key: index.get(key) for key in ("KeySchema", "Projection", "ProvisionedThroughput")}
        for index in properties.get("GlobalSecondaryIndexes", [])
    }
    wanted_indexes = {
        index["IndexName"]: {
            "KeySchema": index["KeySchema"],
            "Projection": index["Projection"],
            "ProvisionedThroughput": None,
        }
        for index in expected.get("GlobalSecondaryIndexes", [])
    }
    differ("GlobalSecondaryIndexes", actual_indexes, wanted_indexes)
    differ("LocalSecondaryIndexes", properties.get("LocalSecondaryIndexes"), None)
    wanted_ttl = {"AttributeName": spec.ttl_attribute, "Enabled": True} if spec.ttl_attribute else None
    differ("TimeToLiveSpecification", properties.get("TimeToLiveSpecification"), wanted_ttl)
    wanted_stream = {"StreamViewType": spec.stream_view_type} if spec.stream_view_type else None
    differ("StreamSpecification", properties.get("StreamSpecification"), wanted_stream)
    return problems


def _by_attribute_name(definitions: list[dict[str, str]]) -> list[dict[str, str]]:
    return sorted(definitions, key=lambda definition: definition["AttributeName"])


def _not_written(module_name: str) -> bool:
    parent = module_name.rpartition(".")[0]
    return (bool(parent) and importlib.util.find_spec(parent) is None) or importlib.util.find_spec(module_name) is None


# ---- tables -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", TABLES, ids=lambda spec: spec.logical_name)
def test_each_schema_table_is_deployed_exactly_as_the_schema_defines_it(
    template: dict[str, Any], spec: TableSpec
) -> None:
    _, resource = table_resource_for(template, spec)
    assert table_differences(resource["Properties"], spec) == []


def test_the_template_deploys_no_table_the_schema_does_not_define(template: dict[str, Any]) -> None:
    assert len(resources_of_type(template, TABLE_TYPE)) == len(TABLES)


@pytest.mark.parametrize(
    "changed",
    [
        dataclasses.replace(MAIN_TABLE, indexes=()),
        dataclasses.replace(MAIN_TABLE, indexes=(IndexSpec(name="gsi1", partition_key="gsi1pk"),)),
        dataclasses.replace(MAIN_TABLE, indexes=(*MAIN_TABLE.indexes, IndexSpec("gsi2", "gsi2pk", "gsi2sk"))),
        dataclasses.replace(MAIN_TABLE, indexes=(dataclasses.replace(MAIN_TABLE.indexes[0], projection="KEYS_ONLY"),)),
        dataclasses.replace(MAIN_TABLE, sort_key="rk"),
        dataclasses.replace(MAIN_TABLE, ttl_attribute="ttl"),
        dataclasses.replace(MAIN_TABLE, stream_view_type="KEYS_ONLY"),
    ],
    ids=[
        "index removed",
        "index key changed",
        "index added",
        "projection changed",
        "sort key renamed",
        "ttl attribute renamed",
        "stream view changed",
    ],
)
def test_a_schema_change_without_the_template_is_caught(template: dict[str, Any], changed: TableSpec) -> None:
    _, resource = table_resource_for(template, MAIN_TABLE)
    assert table_differences(resource["Properties"], changed) != []


@pytest.mark.parametrize("spec", TABLES, ids=lambda spec: spec.logical_name)
def test_tables_are_recoverable_encrypted_and_retained(template: dict[str, Any], spec: TableSpec) -> None:
    _, resource = table_resource_for(template, spec)
    properties = resource["Properties"]
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["SSESpecification"]["SSEEnabled"] is True
    assert properties["SSESpecification"]["SSEType"] == "KMS"
    assert resource["DeletionPolicy"] == "Retain"
    assert resource["UpdateReplacePolicy"] == "Retain"


# ---- functions --------------------------------------------------------------------------------------------------


def test_the_skill_function_is_invoked_only_by_this_alexa_skill(template: dict[str, Any]) -> None:
    skill = template["Resources"]["SkillFunction"]
    assert skill["Properties"]["Handler"] == "skill.lambda_entry.handler"
    assert function_property(template, skill, "Runtime") == "python3.12"  # the first with SnapStart for Python
    events = [event for event in skill["Properties"]["Events"].values() if event["Type"] == "AlexaSkill"]
    assert events == [{"Type": "AlexaSkill", "Properties": {"SkillId": {"Ref": "SkillId"}}}]


def test_the_skill_function_starts_from_a_snapshot_of_its_init_behind_its_alias(template: dict[str, Any]) -> None:
    """SnapStart applies to published versions only: Alexa must call the alias, and only this skill may."""
    samtranslator = pytest.importorskip("samtranslator.translator.transform", reason="pip install aws-sam-translator")
    skill = template["Resources"]["SkillFunction"]["Properties"]
    assert skill["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    alias = f"SkillFunctionAlias{skill['AutoPublishAlias']}"
    document = copy.deepcopy(template)
    document["Globals"]["Function"]["CodeUri"] = "s3://bucket/package.zip"  # what sam build + package put there

    class NoManagedPolicies:
        def load(self) -> dict[str, str]:
            return {}

    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("AWS_DEFAULT_REGION", "us-east-1")
        deployed = samtranslator.transform(document, {"SkillId": DEMO_SKILL_ID}, NoManagedPolicies())
    resources = deployed["Resources"]
    assert resources["SkillFunction"]["Properties"]["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    assert resources[alias]["Type"] == "AWS::Lambda::Alias"
    (permission,) = (
        r
        for r in resources.values()
        if r["Type"] == "AWS::Lambda::Permission" and r["Properties"]["Principal"] == "alexa-appkit.amazon.com"
    )
    assert permission["Properties"]["FunctionName"] == {"Ref": alias}
    assert permission["Properties"]["EventSourceToken"] == {"Ref": "SkillId"}
    assert deployed["Outputs"]["SkillFunctionArn"]["Value"] == {"Ref": alias}


@pytest.mark.parametrize(
    ("function_id", "service"), [("SkillFunction", "voicecart-skill"), ("ApiFunction", "voicecart-api")]
)
def test_each_function_logs_and_measures_through_powertools_on_the_aws_store(
    template: dict[str, Any], function_id: str, service: str
) -> None:
    environment = function_environment(template, template["Resources"][function_id])
    assert environment["VOICECART_STORE"] == "aws"
    assert environment["POWERTOOLS_SERVICE_NAME"] == service
    assert environment["POWERTOOLS_METRICS_NAMESPACE"] == "voicecart"
    # One level for both: ours (read by Settings) and the one Powertools and Lambda's own tooling read.
    assert environment["LOG_LEVEL"] == environment["VOICECART_LOG_LEVEL"] == {"Ref": "LogLevel"}


def test_the_api_function_serves_every_path_of_the_http_api(template: dict[str, Any]) -> None:
    api = template["Resources"]["ApiFunction"]
    assert api["Properties"]["Handler"] == "backend.api.lambda_entry.handler"
    (event,) = api["Properties"]["Events"].values()
    assert event["Type"] == "HttpApi"
    assert event["Properties"]["ApiId"] == {"Ref": "HttpApi"}
    assert (event["Properties"]["Path"], event["Properties"]["Method"]) == ("/{proxy+}", "ANY")
    assert template["Resources"]["HttpApi"]["Type"] == "AWS::Serverless::HttpApi"


@pytest.mark.parametrize("function_id", ["SkillFunction", "ApiFunction"])
def test_settings_read_from_the_function_environment_point_at_the_deployed_table(
    template: dict[str, Any], function_id: str
) -> None:
    environment = function_environment(template, template["Resources"][function_id])
    resolved = {name: resolve_string(value, template) for name, value in environment.items()}
    settings = Settings.load(env=resolved)
    assert environment["VOICECART_TABLE"] == {"Ref": table_resource_for(template, MAIN_TABLE)[0]}
    assert settings.table_name == deployed_table_name(template)
    assert settings.skill_id == PARAMETERS["SkillId"]
    assert settings.load_demo_data is False
    assert resolved["VOICECART_CREATE_TABLES"] == "false"
    # Lambda sets AWS_REGION; only the explicit choice sends the functions to DynamoDB.
    assert settings.store_kind == "aws"


@pytest.mark.parametrize("function_id", ["SkillFunction", "ApiFunction"])
def test_functions_may_use_the_items_and_indexes_of_every_table_and_nothing_more(
    template: dict[str, Any], function_id: str
) -> None:
    statements = list(policy_statements(template["Resources"][function_id]))
    dynamodb = [s for s in statements if any(a.startswith("dynamodb:") for a in _as_list(s["Action"]))]
    granted: dict[str, set[str]] = {}
    for statement in dynamodb:
        assert statement["Effect"] == "Allow"
        actions = set(_as_list(statement["Action"]))
        assert actions <= ITEM_ACTIONS, f"more than item access: {sorted(actions - ITEM_ACTIONS)}"
        for resource in _as_list(statement["Resource"]):
            assert resource != "*", "DynamoDB access must name its tables"
            granted.setdefault(repr(resource), set()).update(actions)
    for logical_id, resource in resources_of_type(template, TABLE_TYPE).items():
        table_actions = granted.pop(repr({"Fn::GetAtt": [logical_id, "Arn"]}), set())
        assert {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"} <= table_actions
        if resource["Properties"].get("GlobalSecondaryIndexes"):
            index_actions = granted.pop(repr({"Fn::Sub": f"${{{logical_id}.Arn}}/index/*"}), set())
            assert index_actions == {"dynamodb:Query"}
    assert granted == {}, f"DynamoDB access to resources that are not the template's tables: {list(granted)}"


@pytest.mark.parametrize("function_id", ["SkillFunction", "ApiFunction"])
def test_function_logs_go_to_a_log_group_with_retention(template: dict[str, Any], function_id: str) -> None:
    function = template["Resources"][function_id]
    group_ref = function["Properties"]["LoggingConfig"]["LogGroup"]
    group = template["Resources"][group_ref["Ref"]]
    assert group["Type"] == "AWS::Logs::LogGroup"
    assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_outputs_name_the_table_its_stream_the_skill_function_and_the_api(template: dict[str, Any]) -> None:
    outputs = template["Outputs"]
    assert outputs["TableName"]["Value"] == {"Ref": "MainTable"}
    assert outputs["TableStreamArn"]["Value"] == {"Fn::GetAtt": ["MainTable", "StreamArn"]}
    assert outputs["SkillFunctionArn"]["Value"] == {"Ref": "SkillFunction.Alias"}  # the alias SnapStart serves
    assert "${HttpApi}" in outputs["ApiUrl"]["Value"]["Fn::Sub"]


@pytest.mark.parametrize("function_id", ["SkillFunction", "ApiFunction"])
def test_the_handler_is_a_callable_of_an_importable_module(template: dict[str, Any], function_id: str) -> None:
    handler = template["Resources"][function_id]["Properties"]["Handler"]
    module_name, _, attribute = handler.rpartition(".")
    assert re.fullmatch(r"[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*", module_name), handler
    if _not_written(module_name):
        pytest.skip(f"{module_name} is not written yet (the template names it as the {function_id} handler)")
    # Importing the module is the function's init phase (it builds the runtime); the import itself runs in
    # test_the_lambda_code_path_imports_without_moto. Here: the handler is a function defined at its top level.
    spec = importlib.util.find_spec(module_name)
    assert spec is not None and spec.origin is not None
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    assert attribute in {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}


@pytest.mark.parametrize("function_id", ["SkillFunction", "ApiFunction"])
def test_the_lambda_code_path_imports_without_moto(template: dict[str, Any], function_id: str) -> None:
    """infra/requirements.txt leaves moto (the local embedded store) out of the Lambda package."""
    module_name = template["Resources"][function_id]["Properties"]["Handler"].rpartition(".")[0]
    if _not_written(module_name):
        pytest.skip(f"{module_name} is not written yet")
    modules = [module_name, *COLD_START_MODULES]
    attribute = template["Resources"][function_id]["Properties"]["Handler"].rpartition(".")[2]
    script = (
        "import importlib, sys\nsys.modules['moto'] = None\n"
        + "".join(f"importlib.import_module({name!r})\n" for name in modules)
        + f"assert callable(getattr(sys.modules[{module_name!r}], {attribute!r}))\n"
        + f"imported = {{name for name in {NOT_AT_INIT[function_id]!r} if name in sys.modules}}\n"
        + "assert not imported, f'the init imported {sorted(imported)}'\n"
    )
    environment = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        env={**environment, **INIT_ENVIRONMENT},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]


# ---- build ------------------------------------------------------------------------------------------------------


# Dependencies of the embedded store only: the functions use the real table.
EMBEDDED_STORE_ONLY = {"moto", "flask-cors"}


def test_lambda_requirements_are_the_project_dependencies_without_moto() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = (Requirement(line) for line in project["dependencies"])
    wanted = {str(requirement) for requirement in requirements if requirement.name not in EMBEDDED_STORE_ONLY}
    lines = (INFRA / "requirements.txt").read_text(encoding="utf-8").splitlines()
    listed = {str(Requirement(line)) for line in lines if line.strip() and not line.lstrip().startswith("#")}
    assert listed == wanted


def test_functions_load_the_prebuilt_files_the_makefile_puts_in_the_package(template: dict[str, Any]) -> None:
    makefile = (INFRA / "Makefile").read_text(encoding="utf-8")
    match = re.search(r"^PREBUILT_DIR = (\S+)$", makefile, re.MULTILINE)
    assert match is not None
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    # Lambda unpacks the package into /var/task (LAMBDA_TASK_ROOT).
    assert variables["VOICECART_INDEX_DIR"] == f"/var/task/{match.group(1)}"


def test_the_makefile_builds_the_prebuilt_catalog_the_runtime_looks_for(tmp_path: Path) -> None:
    from backend.catalog.prebuilt import catalog_version, load, prebuilt_path
    from backend.settings import PACKAGE_DATA_DIR

    make = ["make", "-s", "-f", str(INFRA / "Makefile"), "lambda-prebuilt", f"ARTIFACTS_DIR={tmp_path}"]
    result = subprocess.run(
        [*make, f"PYTHON={sys.executable}", "PREBUILT_FLAGS=--catalog-only"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    directory = tmp_path / "voicecart-prebuilt"
    version = catalog_version(PACKAGE_DATA_DIR)  # what the function computes from its packaged CSV files
    path = prebuilt_path(directory, version)
    assert len(load(path, version=version).catalog) > 49_000
    assert [entry.name for entry in directory.iterdir()] == [path.name]  # --catalog-only: no index
    assert path.stat().st_mode & 0o444 == 0o444 and directory.stat().st_mode & 0o555 == 0o555  # for any user


def test_the_makefile_has_a_build_target_for_every_function(template: dict[str, Any]) -> None:
    makefile = (INFRA / "Makefile").read_text(encoding="utf-8")
    rules = (re.match(r"([^\t#:=][^:=]*):(?!=)", line) for line in makefile.splitlines())
    targets = {target for rule in rules if rule for target in rule.group(1).split()}
    for function_id, function in resources_of_type(template, FUNCTION_TYPE).items():
        assert function.get("Metadata", {}).get("BuildMethod") == "makefile"
        assert f"build-{function_id}" in targets


def _cfn_lint() -> str | None:
    beside_python = Path(sys.executable).with_name("cfn-lint")
    return str(beside_python) if beside_python.exists() else shutil.which("cfn-lint")


def test_cfn_lint_reports_nothing() -> None:
    executable = _cfn_lint()
    if executable is None:
        pytest.skip("cfn-lint is not installed (pip install cfn-lint; CI installs it with the dev extra)")
    # Informational checks included: the template is clean at every level, not only errors and warnings.
    result = subprocess.run(
        [executable, "--include-checks", "I", "--", str(TEMPLATE_PATH)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
