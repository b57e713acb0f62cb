# ECS: the cluster (Container Insights enhanced by default: task-level metrics with a TaskId dimension;
# standard: the same figures only in the performance log), the runner task definition and the service
# that keeps runner_count runners.

locals {
  # The cluster setting accepts only enhanced, enabled or disabled: "standard" is the console's word for
  # enabled, and the suite's (suite deploy --container-insights standard).
  container_insights_setting = { enhanced = "enhanced", standard = "enabled" }[var.container_insights]
}

resource "aws_ecs_cluster" "this" {
  name = local.cluster_name

  setting {
    name  = "containerInsights"
    value = local.container_insights_setting
  }

  tags = local.tags

  # ECS would create the performance log group itself, untagged and without retention.
  depends_on = [aws_cloudwatch_log_group.container_insights]
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = ["FARGATE"]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
  }
}

locals {
  runner_environment = [
    { name = "GITHUB_URL", value = var.github_url },
    { name = "GITHUB_API_URL", value = var.github_api_url },
    { name = "RUNNER_SCOPE", value = var.runner_scope },
    { name = "GITHUB_OWNER", value = local.github_owner },
    { name = "GITHUB_REPO", value = local.github_repo },
    # a JIT runner carries exactly the labels asked for: GitHub's self-hosted, linux and arch too
    { name = "RUNNER_LABELS", value = join(",", local.runner_labels) },
    { name = "RUNNER_GROUP", value = var.runner_group },
    { name = "RUNNER_CREDENTIAL_KIND", value = var.credential_kind },
    { name = "RUNNER_WORK_FOLDER", value = "_work" },
    { name = "JIT_CONFIG_FILE", value = local.jit_config_file },
  ]
  # the task volume the init container writes the JIT configuration to and the runner reads it from
  jit_volume      = "jit-config"
  jit_config_file = "/jit/config"
}

resource "aws_ecs_task_definition" "runner" {
  family                   = "${var.fleet_name}-runner"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = tostring(var.task_cpu)
  memory                   = tostring(var.task_memory)
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  ephemeral_storage {
    size_in_gib = var.ephemeral_storage_gib
  }

  # Task storage shared by the init container (writes the JIT configuration) and the runner (reads it).
  volume {
    name = local.jit_volume
  }

  container_definitions = jsonencode([
    {
      # The init container (docs/aws.md, "The runner's credential"): the only container that holds the
      # long-lived GitHub credential, for the seconds it takes to mint a just-in-time runner
      # configuration and write it to the shared volume; then it exits. Root: the volume is root's.
      name                   = "jit-init"
      image                  = var.runner_image
      essential              = false
      user                   = "0"
      entryPoint             = ["/bin/bash", "-c"]
      command                = [file("${path.module}/templates/jit_init.sh")]
      stopTimeout            = 10
      privileged             = false
      readonlyRootFilesystem = true
      environment            = local.runner_environment
      mountPoints            = [{ sourceVolume = local.jit_volume, containerPath = "/jit", readOnly = false }]
      # Injected by the ECS agent from Secrets Manager at task start: never a plaintext value here.
      secrets = [
        { name = "GITHUB_CREDENTIAL", valueFrom = aws_secretsmanager_secret.github_credential.arn },
      ]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          "awslogs-group"         = aws_cloudwatch_log_group.runner.name
          "awslogs-region"        = var.region
          "awslogs-stream-prefix" = "jit-init"
        }
      }
    },
    {
      name      = "runner"
      image     = var.runner_image
      essential = true
      # The image's user is `runner` (cwd /home/runner, run.sh there). No secrets: it starts only once
      # jit-init has exited 0, with the JIT configuration on a read-only mount.
      entryPoint = ["/bin/bash", "-c"]
      command    = [file("${path.module}/templates/bootstrap.sh")]
      dependsOn  = [{ containerName = "jit-init", condition = "SUCCESS" }]
      # The runner closes its session within seconds of SIGTERM; the rest is a running job's grace.
      stopTimeout            = 120
      privileged             = false
      readonlyRootFilesystem = false
      environment            = [{ name = "JIT_CONFIG_FILE", value = local.jit_config_file }]
      mountPoints            = [{ sourceVolume = local.jit_volume, containerPath = "/jit", readOnly = true }]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          "awslogs-group"         = aws_cloudwatch_log_group.runner.name
          "awslogs-region"        = var.region
          "awslogs-stream-prefix" = "runner"
        }
      }
    },
    {
      # The in-task sampler (docs/aws.md): the task's CPU and memory counters every sample_period_s,
      # one JSON line each, to its own log stream. Not essential: if it fails the runner goes on, and
      # the suite falls back to Container Insights for that task. Same image: nothing new is pulled.
      name                   = "sampler"
      image                  = var.runner_image
      essential              = false
      entryPoint             = ["/bin/bash", "-c"]
      command                = [file("${path.module}/templates/sampler.sh")]
      stopTimeout            = 10
      privileged             = false
      readonlyRootFilesystem = true
      environment            = [{ name = "SAMPLE_PERIOD_S", value = tostring(var.sample_period_s) }]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          "awslogs-group"         = aws_cloudwatch_log_group.sampler.name
          "awslogs-region"        = var.region
          "awslogs-stream-prefix" = "sampler"
        }
      }
    }
  ])

  tags = local.tags

  # checkov:skip=CKV_AWS_336:the runner writes its configuration and work directory under /home/runner; jobs need a writable filesystem
}

resource "aws_ecs_service" "runners" {
  name             = local.service_name
  cluster          = aws_ecs_cluster.this.id
  task_definition  = aws_ecs_task_definition.runner.arn
  desired_count    = var.runner_count
  launch_type      = "FARGATE"
  platform_version = "LATEST"

  # Never more than runner_count runners, also while a sizing change rolls out: measurements stay honest.
  deployment_minimum_healthy_percent = 0
  deployment_maximum_percent         = 100

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = local.task_subnet_ids
    security_groups  = [aws_security_group.runner.id]
    assign_public_ip = local.assign_public_ip
  }

  # Tasks carry the service's tags (so a running task left behind is found by the destroy proof).
  enable_ecs_managed_tags = true
  propagate_tags          = "SERVICE"
  tags                    = local.tags

  # The suite waits for runners online in GitHub itself (suite deploy); no Terraform steady-state wait.
  wait_for_steady_state = false

  depends_on = [aws_iam_role_policy.execution]

  # checkov:skip=CKV_AWS_333:by default tasks run in public subnets with a public IP and no inbound rule (a NAT gateway costs more than the fleet); set private_subnets = true to avoid it
}
