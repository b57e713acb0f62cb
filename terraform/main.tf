# runner-suite fleet: self-hosted GitHub Actions runners as ECS Fargate tasks.
# One ECS task = one runner, named after its ECS task id (the key the suite joins GitHub jobs,
# Container Insights metrics and ECS task events on). See ../docs/aws.md.
# Fargate has no Docker daemon and no privileged containers: a job with `container:` or `services:`, or
# a `docker://` / Dockerfile action, fails on these runners (`suite doctor --profile P` warns of it).

locals {
  # The tag the suite's destroy proof searches for (Resource Groups Tagging API): keep in sync with
  # suite/fleet/config.py FLEET_TAG_KEY.
  fleet_tag_key = "suite:fleet"

  tags = merge(var.tags, {
    (local.fleet_tag_key) = var.fleet_name
    "suite:managed-by"    = "terraform"
  })

  cluster_name = var.fleet_name
  service_name = "runners"

  runner_log_group             = "/ecs/${var.fleet_name}/runners"
  sampler_log_group            = "/ecs/${var.fleet_name}/sampler" # suite/collect/samples.py reads it
  task_events_log_group        = "/aws/events/ecs/${var.fleet_name}"
  container_insights_log_group = "/aws/ecs/containerinsights/${var.fleet_name}/performance"

  arch_label = var.cpu_architecture == "ARM64" ? "arm64" : "x64"
  # What GitHub lists for each runner: its default labels plus the custom ones.
  runner_labels = distinct(concat(["self-hosted", "linux", local.arch_label], var.runner_labels))

  github_owner = split("/", var.github_repository)[0]
  github_repo  = var.runner_scope == "repo" ? split("/", var.github_repository)[1] : ""
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
