# What the suite reads after apply (suite/fleet/outputs.py): keep names in sync.

output "fleet_name" {
  description = "The fleet's name (the suite:fleet tag value); destroy refuses a state whose fleet_name differs."
  value       = var.fleet_name
}

output "fleet_tag_key" {
  description = "The tag key every resource of the fleet carries, with fleet_name as its value."
  value       = local.fleet_tag_key
}

output "region" {
  description = "AWS region."
  value       = var.region
}

output "cluster" {
  description = "ECS cluster name."
  value       = aws_ecs_cluster.this.name
}

output "cluster_arn" {
  description = "ECS cluster ARN."
  value       = aws_ecs_cluster.this.arn
}

output "service" {
  description = "ECS service name."
  value       = aws_ecs_service.runners.name
}

output "runner_log_group" {
  description = "CloudWatch Logs group of the runner containers."
  value       = aws_cloudwatch_log_group.runner.name
}

output "sampler_log_group" {
  description = "CloudWatch Logs group of the in-task sampler's readings (one stream per task)."
  value       = aws_cloudwatch_log_group.sampler.name
}

output "task_events_log_group" {
  description = "CloudWatch Logs group receiving this cluster's ECS Task State Change events."
  value       = aws_cloudwatch_log_group.task_events.name
}

output "container_insights_log_group" {
  description = "Container Insights performance log group (Type=Task events with TaskId)."
  value       = aws_cloudwatch_log_group.container_insights.name
}

output "runner_labels" {
  description = "Labels GitHub lists for every runner of the fleet."
  value       = local.runner_labels
}

output "runner_count" {
  description = "Runners (ECS tasks) the service keeps."
  value       = var.runner_count
}

output "task_cpu" {
  description = "Task CPU units."
  value       = var.task_cpu
}

output "task_memory" {
  description = "Task memory (MiB)."
  value       = var.task_memory
}

output "container_insights" {
  description = "The cluster's Container Insights mode (enhanced or standard)."
  value       = var.container_insights
}

output "runner_image" {
  description = "The runner container image (what `suite compare` shows beside the sizing)."
  value       = var.runner_image
}

output "cpu_architecture" {
  description = "Fargate CPU architecture (X86_64 or ARM64): the price table entry a run is priced with."
  value       = var.cpu_architecture
}

output "ephemeral" {
  description = "Whether runners are ephemeral (one job per task)."
  value       = var.ephemeral
}

output "github_repository" {
  description = "Where the runners register ('owner/name' or the organization)."
  value       = var.github_repository
}

output "runner_scope" {
  description = "repo or org."
  value       = var.runner_scope
}

output "secret_arn" {
  description = "ARN of the Secrets Manager secret holding the runners' GitHub credential (value written by `suite secrets put`)."
  value       = aws_secretsmanager_secret.github_credential.arn
}
