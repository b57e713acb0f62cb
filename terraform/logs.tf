# Log groups (all with retention, all destroyed with the fleet) and the EventBridge rule that copies
# this cluster's "ECS Task State Change" events to a log group (the suite reads cold starts from it).

resource "aws_cloudwatch_log_group" "runner" {
  name              = local.runner_log_group
  retention_in_days = var.log_retention_days
  tags              = local.tags

  # checkov:skip=CKV_AWS_158:runner logs hold no secrets; CloudWatch Logs encrypts at rest with its own key, a CMK adds cost and a key policy
  # checkov:skip=CKV_AWS_338:a measurement fleet's logs are kept for log_retention_days (default 30), not a year
}

# The in-task sampler's readings, one stream per task (sampler/sampler/<task id>), written by the awslogs
# driver with the execution role: the runner container and its jobs cannot write here.
resource "aws_cloudwatch_log_group" "sampler" {
  name              = local.sampler_log_group
  retention_in_days = var.log_retention_days
  tags              = local.tags

  # checkov:skip=CKV_AWS_158:sampler readings are CPU and memory counters, no secrets; CloudWatch Logs encrypts at rest with its own key
  # checkov:skip=CKV_AWS_338:a measurement fleet's logs are kept for log_retention_days (default 30), not a year
}

resource "aws_cloudwatch_log_group" "task_events" {
  name              = local.task_events_log_group
  retention_in_days = var.log_retention_days
  tags              = local.tags

  # checkov:skip=CKV_AWS_158:ECS task state events hold no secrets; CloudWatch Logs encrypts at rest with its own key
  # checkov:skip=CKV_AWS_338:a measurement fleet's logs are kept for log_retention_days (default 30), not a year
}

# Container Insights writes its performance events here; managing the group gives it a retention and
# lets destroy remove it (otherwise ECS creates it, untagged, and it outlives the fleet).
resource "aws_cloudwatch_log_group" "container_insights" {
  name              = local.container_insights_log_group
  retention_in_days = var.log_retention_days
  tags              = local.tags

  # checkov:skip=CKV_AWS_158:Container Insights performance events hold no secrets; CloudWatch Logs encrypts at rest with its own key
  # checkov:skip=CKV_AWS_338:a measurement fleet's metrics logs are kept for log_retention_days (default 30), not a year
}

resource "aws_cloudwatch_event_rule" "task_state" {
  name        = "${var.fleet_name}-task-state"
  description = "ECS Task State Change events of cluster ${local.cluster_name} to ${local.task_events_log_group}"

  event_pattern = jsonencode({
    source        = ["aws.ecs"]
    "detail-type" = ["ECS Task State Change"]
    detail = {
      clusterArn = [aws_ecs_cluster.this.arn]
    }
  })

  tags = local.tags
}

resource "aws_cloudwatch_event_target" "task_state" {
  rule      = aws_cloudwatch_event_rule.task_state.name
  target_id = "task-events-log-group"
  arn       = aws_cloudwatch_log_group.task_events.arn

  # Until the log group's policy exists EventBridge cannot write there, and the events are dropped.
  depends_on = [aws_cloudwatch_log_resource_policy.task_events]
}

# EventBridge writes to CloudWatch Logs through a resource policy. This one is attached to the task-events
# log group itself (resource_arn, provider 6.40+), not account-wide: CloudWatch Logs allows only 10
# account-wide policies per region, and this one grants nothing on any other group. Only this rule.
data "aws_iam_policy_document" "task_events_delivery" {
  statement {
    sid     = "EventBridgeToTaskEventsLogGroup"
    effect  = "Allow"
    actions = ["logs:CreateLogStream", "logs:PutLogEvents"]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com", "delivery.logs.amazonaws.com"]
    }
    resources = ["${aws_cloudwatch_log_group.task_events.arn}:*"]
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_cloudwatch_event_rule.task_state.arn]
    }
  }
}

resource "aws_cloudwatch_log_resource_policy" "task_events" {
  resource_arn    = aws_cloudwatch_log_group.task_events.arn
  policy_document = data.aws_iam_policy_document.task_events_delivery.json
}
