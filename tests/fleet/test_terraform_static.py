"""Offline checks of terraform/ (providers cannot be downloaded here): fmt via the embedded Terraform,
HCL structure with python-hcl2, Fargate size validation run for real, and checkov with zero failures."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import hcl2
import pytest

from suite.fleet import sizing
from suite.fleet.terraform import Terraform, TerraformError

ROOT = Path(__file__).resolve().parents[2]
TF = ROOT / "terraform"
CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"

# aws_* resource types in terraform/ that accept tags; every resource of these types must set them.
TAGGABLE = {
    "aws_vpc", "aws_default_security_group", "aws_internet_gateway", "aws_subnet", "aws_route_table",
    "aws_eip", "aws_nat_gateway", "aws_security_group", "aws_vpc_security_group_egress_rule",
    "aws_cloudwatch_log_group", "aws_cloudwatch_event_rule", "aws_iam_role", "aws_ecs_cluster",
    "aws_ecs_task_definition", "aws_ecs_service", "aws_secretsmanager_secret",
}  # fmt: skip
NOT_TAGGABLE = {
    "aws_route", "aws_route_table_association", "aws_cloudwatch_event_target",
    "aws_cloudwatch_log_resource_policy", "aws_iam_role_policy", "aws_ecs_cluster_capacity_providers",
}  # fmt: skip


def _unq(value: Any) -> Any:
    if isinstance(value, str):
        return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value
    if isinstance(value, list):
        return [_unq(v) for v in value]
    if isinstance(value, dict):
        return {_unq(k): _unq(v) for k, v in value.items() if k not in ("__is_block__", "__comments__")}
    return value


def _load() -> dict[str, Any]:
    merged: dict[str, Any] = {"resource": {}, "data": {}, "variable": {}, "output": {}, "terraform": []}
    for path in sorted(TF.glob("*.tf")):
        doc = _unq(hcl2.load(path.open()))
        for kind in ("resource", "data"):
            for block in doc.get(kind, []):
                for rtype, named in block.items():
                    merged[kind].setdefault(rtype, {}).update(named)
        for kind in ("variable", "output"):
            for block in doc.get(kind, []):
                merged[kind].update(block)
        merged["terraform"] += doc.get("terraform", [])
    return merged


CONF = _load()
RES = CONF["resource"]
TEXT = "\n".join(
    p.read_text()
    for p in sorted(TF.rglob("*"))
    if p.is_file() and p.suffix in {".tf", ".sh", ".example", ".tfvars"}
)


def test_terraform_fmt_is_clean() -> None:
    assert Terraform(TF, progress=lambda _: None).unformatted() == []


def test_provider_version_is_bounded_and_the_lock_file_story_is_documented() -> None:
    """6.40 is the first with a log-group-scoped resource policy; a major release may break the module.
    The lock file is generated where providers can be downloaded: no check here requires it."""
    providers = CONF["terraform"][0]["required_providers"][0]["aws"]
    assert providers["source"] == "hashicorp/aws"
    assert providers["version"] == ">= 6.40, < 7.0"
    lock = "terraform providers lock -platform=linux_amd64 -platform=linux_arm64"
    assert lock in (ROOT / "docs" / "aws.md").read_text() and lock in (ROOT / "README.md").read_text()
    lock_file = TF / ".terraform.lock.hcl"
    if lock_file.exists():  # once committed, it must pin a version inside the constraint, with hashes
        entry = hcl2.load(lock_file.open())["provider"][0]['"registry.terraform.io/hashicorp/aws"']
        major, minor = (int(p) for p in _unq(entry["version"]).split(".")[:2])
        assert (6, 40) <= (major, minor) < (7, 0) and entry["hashes"]


def test_container_insights_standard_maps_to_ecs_enabled() -> None:
    """ECS accepts enhanced, enabled or disabled; the suite's word "standard" is ECS's "enabled"."""
    assert RES["aws_ecs_cluster"]["this"]["setting"] == [
        {"name": "containerInsights", "value": "${local.container_insights_setting}"}
    ]
    assert '{ enhanced = "enhanced", standard = "enabled" }[var.container_insights]' in TEXT


def test_zones_are_picked_by_id_without_the_non_fargate_ones() -> None:
    zones = CONF["data"]["aws_availability_zones"]["available"]
    assert zones["exclude_zone_ids"] == "${var.fargate_unsupported_zone_ids}"
    assert {"usw1-az2", "apne1-az3"} <= set(CONF["variable"]["fargate_unsupported_zone_ids"]["default"])
    for kind in ("public", "private"):
        subnet = RES["aws_subnet"][kind]
        assert subnet["availability_zone_id"] == "${local.az_ids[count.index]}"
        assert "availability_zone" not in subnet


def test_dns_egress_to_the_vpcs_custom_dns_servers() -> None:
    rule = RES["aws_vpc_security_group_egress_rule"]["dns"]
    assert rule["for_each"] == "${local.dns_rules}"
    assert (rule["from_port"], rule["to_port"], rule["ip_protocol"]) == (53, 53, "${each.value[1]}")
    assert "data.aws_vpc_dhcp_options.existing[0].domain_name_servers" in TEXT
    assert CONF["variable"]["dns_server_cidrs"]["default"] == []


def test_task_events_policy_is_scoped_to_its_log_group_and_precedes_the_target() -> None:
    policy = RES["aws_cloudwatch_log_resource_policy"]["task_events"]
    assert policy["resource_arn"] == "${aws_cloudwatch_log_group.task_events.arn}"
    assert "policy_name" not in policy  # a named policy is account-wide (at most 10 per region)
    target = RES["aws_cloudwatch_event_target"]["task_state"]
    assert target["depends_on"] == ["${aws_cloudwatch_log_resource_policy.task_events}"]


def test_runner_count_defaults_to_4_and_drives_the_service() -> None:
    assert CONF["variable"]["runner_count"]["default"] == 4
    service = RES["aws_ecs_service"]["runners"]
    assert service["desired_count"] == "${var.runner_count}"
    assert service["launch_type"] == "FARGATE"
    breaker = service["deployment_circuit_breaker"][0]
    assert breaker["enable"] is True and breaker["rollback"] is True
    assert CONF["output"]["runner_count"]["value"] == "${var.runner_count}"


def test_cluster_has_enhanced_container_insights_by_default() -> None:
    assert CONF["variable"]["container_insights"]["default"] == "enhanced"


def test_task_definition_is_fargate_with_runtime_platform_and_storage() -> None:
    td = RES["aws_ecs_task_definition"]["runner"]
    assert td["requires_compatibilities"] == ["FARGATE"]
    assert td["network_mode"] == "awsvpc"
    assert td["runtime_platform"][0]["operating_system_family"] == "LINUX"
    assert td["ephemeral_storage"][0]["size_in_gib"] == "${var.ephemeral_storage_gib}"
    assert CONF["variable"]["runner_image"]["default"].startswith("ghcr.io/actions/actions-runner:")
    assert "templates/bootstrap.sh" in td["container_definitions"]


def test_outputs_the_suite_reads() -> None:
    want = {
        "cluster", "service", "region", "runner_log_group", "task_events_log_group", "runner_labels",
        "runner_count", "task_cpu", "task_memory", "secret_arn", "fleet_name", "container_insights",
        "runner_image", "cpu_architecture",
    }  # fmt: skip
    assert want <= set(CONF["output"])


def test_no_secret_value_anywhere_in_the_configuration() -> None:
    assert "aws_secretsmanager_secret_version" not in RES
    assert "secret_string" not in TEXT
    assert not re.search(
        r"gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|BEGIN [A-Z ]*PRIVATE KEY-----\w", TEXT
    )
    td_text = RES["aws_ecs_task_definition"]["runner"]["container_definitions"]
    assert "valueFrom = aws_secretsmanager_secret.github_credential.arn" in td_text.replace("${", "").replace(
        "}", ""
    )
    # no variable could carry a token into the state
    assert not [v for v in CONF["variable"] if re.search(r"token|password|private_key", v)]


def test_every_taggable_resource_is_tagged() -> None:
    unknown = set(RES) - TAGGABLE - NOT_TAGGABLE
    assert not unknown, f"classify these resource types as taggable or not: {unknown}"
    untagged = [f"{t}.{n}" for t in TAGGABLE & set(RES) for n, body in RES[t].items() if "tags" not in body]
    assert untagged == []
    assert "suite:fleet" in TEXT and "default_tags" in TEXT


def _statements(name: str) -> list[dict[str, Any]]:
    return list(CONF["data"]["aws_iam_policy_document"][name]["statement"])


def test_execution_role_is_least_privilege() -> None:
    stmts = {s["sid"]: s for s in _statements("execution")}
    assert set(stmts) == {"ReadRunnerCredential", "WriteRunnerLogs"}
    assert stmts["ReadRunnerCredential"]["actions"] == ["secretsmanager:GetSecretValue"]
    assert stmts["ReadRunnerCredential"]["resources"] == [
        "${aws_secretsmanager_secret.github_credential.arn}"
    ]
    assert stmts["WriteRunnerLogs"]["actions"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert stmts["WriteRunnerLogs"]["resources"] == [
        "${aws_cloudwatch_log_group.runner.arn}:*",
        "${aws_cloudwatch_log_group.sampler.arn}:*",
    ]
    for s in _statements("execution") + _statements("task_events_delivery"):
        assert s["effect"] == "Allow"
        assert all("*" not in a for a in s["actions"]), s
        assert all(r != "*" for r in s["resources"]), s
    # the task role (the jobs) gets no policy at all
    assert set(RES["aws_iam_role_policy"]) == {"execution"}
    assert "aws_iam_role_policy_attachment" not in RES


def test_task_events_rule_is_this_clusters_task_state_changes_to_a_log_group() -> None:
    pattern = RES["aws_cloudwatch_event_rule"]["task_state"]["event_pattern"]
    assert "ECS Task State Change" in pattern and "aws_ecs_cluster.this.arn" in pattern
    assert (
        RES["aws_cloudwatch_event_target"]["task_state"]["arn"]
        == "${aws_cloudwatch_log_group.task_events.arn}"
    )
    delivery = _statements("task_events_delivery")[0]
    assert delivery["condition"][0]["values"] == ["${aws_cloudwatch_event_rule.task_state.arn}"]
    for group in RES["aws_cloudwatch_log_group"].values():
        assert group["retention_in_days"] == "${var.log_retention_days}"


def test_bootstrap_scripts_parse() -> None:
    """What they do is run for real in tests/fleet/test_bootstrap_offline.py."""
    for name in ("jit_init.sh", "bootstrap.sh"):
        script = (TF / "templates" / name).read_text()
        assert "set -x" not in script
        if shutil.which("bash"):
            subprocess.run(["bash", "-n", str(TF / "templates" / name)], check=True)


def test_sampler_is_a_second_non_essential_container_of_the_same_image_to_its_own_log_group() -> None:
    td = RES["aws_ecs_task_definition"]["runner"]["container_definitions"]
    sampler = td[td.index('{name = "sampler"') :]
    assert "image = var.runner_image, essential = false" in sampler  # nothing new to pull; optional
    assert "templates/sampler.sh" in sampler and "readonlyRootFilesystem = true" in sampler
    assert "value = tostring(var.sample_period_s)" in sampler and "secrets" not in sampler
    assert '"awslogs-group" = aws_cloudwatch_log_group.sampler.name' in sampler
    assert '"awslogs-stream-prefix" = "sampler"' in sampler
    assert CONF["variable"]["sample_period_s"]["default"] == 5
    assert "sampler_log_group" in CONF["output"]
    # the suite reads the group by its name: the one spelling (suite.collect.samples) and Terraform's agree
    from suite.collect.samples import sampler_log_group, sampler_stream

    main = (TF / "main.tf").read_text()
    group = sampler_log_group("${var.fleet_name}")
    assert f'sampler_log_group            = "{group}"' in main
    assert sampler_stream("t1") == "sampler/sampler/t1"  # awslogs: prefix/container name/task id


# ---------------------------------------------------------------- Fargate sizes, validated for real

PAIRS = [
    (256, 512),
    (256, 4096),
    (512, 4096),
    (1024, 2048),
    (1024, 1536),
    (4096, 30720),
    (8192, 20480),
    (8192, 18432),
    (16384, 122880),
    (3000, 4096),
]


@pytest.fixture(scope="module")
def variables_only(tmp_path_factory: pytest.TempPathFactory) -> Terraform:
    """terraform/variables.tf alone (no provider needed): plan evaluates its validations."""
    work = tmp_path_factory.mktemp("variables")
    shutil.copy(TF / "variables.tf", work / "variables.tf")
    (work / "outputs.tf").write_text('output "size" {\n  value = "${var.task_cpu}/${var.task_memory}"\n}\n')
    tf = Terraform(work, progress=lambda _: None)
    tf.init()
    return tf


@pytest.mark.parametrize(("cpu", "memory"), PAIRS)
def test_fargate_pairs_terraform_and_python_agree(variables_only: Terraform, cpu: int, memory: int) -> None:
    variables_only.variables = {"github_repository": "o/r", "task_cpu": cpu, "task_memory": memory}
    try:
        variables_only.plan()
        accepted = True
    except TerraformError as exc:
        assert "Fargate" in str(exc)
        accepted = False
    assert accepted == sizing.is_valid(cpu, memory)


def test_python_fargate_table() -> None:
    assert sizing.allowed_memory(256) == [512, 1024, 2048]
    assert sizing.allowed_memory(4096)[-1] == 30720
    assert sizing.describe_invalid(1024, 2048) is None
    assert "2048-8192 in steps of 1024" in str(sizing.describe_invalid(1024, 512))
    assert "not a Fargate size" in str(sizing.describe_invalid(3000, 4096))
    assert (
        sum(
            1
            for c, m in itertools.product(sizing.CPU_SIZES, range(512, 122881, 512))
            if sizing.is_valid(c, m)
        )
        > 50
    )


# ---------------------------------------------------------------- checkov


def test_checkov_reports_zero_failed_checks() -> None:
    if not CHECKOV.exists():
        pytest.fail(
            f"checkov is not installed at {CHECKOV}: create its own venv with "
            "`python3 -m venv .venv-checkov && .venv-checkov/bin/pip install checkov` (make checkov-venv)"
        )
    done = subprocess.run(
        [str(CHECKOV), "-d", str(TF), "--skip-download", "-o", "json"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = json.loads(done.stdout)
    reports = report if isinstance(report, list) else [report]
    summary = {k: sum(r["summary"][k] for r in reports) for k in ("passed", "failed", "skipped")}
    failed = [
        f"{c['check_id']} {c['resource']} {c['file_path']}"
        for r in reports
        for c in r["results"]["failed_checks"]
    ]
    assert summary["failed"] == 0, "checkov failed checks:\n" + "\n".join(failed)
    assert summary["passed"] > 50
    # every skip is inline with a reason
    for r in reports:
        for c in r["results"]["skipped_checks"]:
            assert len(str(c.get("check_result", {}).get("suppress_comment", ""))) > 20, c["check_id"]


@pytest.mark.parametrize(("mode", "accepted"), [("enhanced", True), ("standard", True), ("disabled", False)])
def test_container_insights_is_enhanced_or_standard(
    variables_only: Terraform, mode: str, accepted: bool
) -> None:
    """disabled would leave every job's CPU and memory null: Terraform refuses it before anything is made."""
    variables_only.variables = {"github_repository": "o/r", "container_insights": mode}
    if accepted:
        variables_only.plan()
    else:
        with pytest.raises(TerraformError, match="container_insights must be enhanced or standard"):
            variables_only.plan()
