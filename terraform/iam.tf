# IAM, least privilege:
#   execution role (ECS agent): read the one credential secret, write the runner and sampler log groups
#     (the awslogs driver writes each container's stream with this role). Nothing else:
#     the image is public (ghcr.io), so no ECR permissions.
#   task role (the runner and its jobs): no permissions at all. Add policies for your jobs' needs.

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    sid     = "EcsTasksAssumeRole"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${data.aws_partition.current.partition}:ecs:${var.region}:${data.aws_caller_identity.current.account_id}:*"]
    }
  }
}

resource "aws_iam_role" "execution" {
  name_prefix        = "${var.fleet_name}-exec-"
  description        = "ECS task execution role of the ${var.fleet_name} runners"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = local.tags
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "ReadRunnerCredential"
    effect    = "Allow"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.github_credential.arn]
  }
  statement {
    sid       = "WriteRunnerLogs"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.runner.arn}:*", "${aws_cloudwatch_log_group.sampler.arn}:*"]
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "runner-execution"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

resource "aws_iam_role" "task" {
  name_prefix        = "${var.fleet_name}-task-"
  description        = "Task role of the ${var.fleet_name} runners (no permissions: jobs get no AWS access by default)"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = local.tags
}
