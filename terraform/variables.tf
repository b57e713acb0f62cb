# ---------------------------------------------------------------- identity

variable "fleet_name" {
  description = "Name of this fleet: the ECS cluster name, the prefix of every resource and the value of the suite:fleet tag the destroy proof searches for."
  type        = string
  default     = "runner-suite"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.fleet_name))
    error_message = "fleet_name must be 3-32 characters: lower-case letters, digits and dashes, starting with a letter."
  }
}

variable "region" {
  description = "AWS region of the fleet."
  type        = string
  default     = "us-east-1"
}

variable "tags" {
  description = "Extra tags for every resource (the suite:fleet tag is always added)."
  type        = map(string)
  default     = {}
}

# ---------------------------------------------------------------- GitHub

variable "github_repository" {
  description = "Where the runners register: 'owner/name' for runner_scope = \"repo\", the organization for runner_scope = \"org\"."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)?$", var.github_repository))
    error_message = "github_repository must be 'owner/name' (repository scope) or 'org' (organization scope)."
  }
}

variable "runner_scope" {
  description = "Register the runners on a repository (\"repo\") or an organization (\"org\")."
  type        = string
  default     = "repo"

  validation {
    condition = (
      (var.runner_scope == "repo" && length(split("/", var.github_repository)) == 2) ||
      (var.runner_scope == "org" && length(split("/", var.github_repository)) == 1)
    )
    error_message = "runner_scope must be \"repo\" (github_repository = 'owner/name') or \"org\" (github_repository = 'org')."
  }
}

variable "github_url" {
  description = "GitHub web URL (GitHub Enterprise Server: https://HOST)."
  type        = string
  default     = "https://github.com"
}

variable "github_api_url" {
  description = "GitHub REST API URL (GitHub Enterprise Server: https://HOST/api/v3)."
  type        = string
  default     = "https://api.github.com"
}

variable "runner_labels" {
  description = "Custom runner labels, besides GitHub's self-hosted, linux and x64/arm64. Workflows select the fleet with runs-on: [self-hosted, <these>]."
  type        = list(string)
  default     = ["ecs-fargate"]
}

variable "runner_group" {
  description = "Runner group (organization scope only; empty: the default group)."
  type        = string
  default     = ""
}

variable "ephemeral" {
  description = "Ephemeral runners take one job, then the task exits and the service starts a fresh one. Always true: the runners are just-in-time (single use), so the runner container never holds the credential."
  type        = bool
  default     = true

  validation {
    condition     = var.ephemeral
    error_message = "ephemeral must be true: the runners are just-in-time (single use, docs/aws.md); a persistent runner would need the long-lived GitHub credential inside the runner container."
  }
}

variable "credential_kind" {
  description = "What the Secrets Manager secret holds: \"pat\" ({\"token\": ...}) or \"app\" ({\"app_id\", \"installation_id\", \"private_key\"}). Write it with `suite secrets put`, never through Terraform."
  type        = string
  default     = "pat"

  validation {
    condition     = contains(["pat", "app"], var.credential_kind)
    error_message = "credential_kind must be \"pat\" or \"app\"."
  }
}

variable "secret_recovery_window_days" {
  description = "Secrets Manager recovery window on destroy: 0 deletes the credential at once (nothing tagged with the fleet is left); 7-30 keeps it recoverable."
  type        = number
  default     = 0

  validation {
    condition     = var.secret_recovery_window_days == 0 || (var.secret_recovery_window_days >= 7 && var.secret_recovery_window_days <= 30)
    error_message = "secret_recovery_window_days must be 0 or between 7 and 30."
  }
}

# ---------------------------------------------------------------- sizing

variable "runner_count" {
  description = "Number of runners = ECS tasks the service keeps running."
  type        = number
  default     = 4

  validation {
    condition     = var.runner_count >= 0 && var.runner_count <= 100 && floor(var.runner_count) == var.runner_count
    error_message = "runner_count must be a whole number from 0 to 100."
  }
}

variable "task_cpu" {
  description = "Fargate task CPU units (1024 = 1 vCPU)."
  type        = number
  default     = 1024

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.task_cpu)
    error_message = "task_cpu must be one of Fargate's sizes: 256, 512, 1024, 2048, 4096, 8192, 16384."
  }
}

variable "task_memory" {
  description = "Fargate task memory (MiB); must be an allowed pair with task_cpu."
  type        = number
  default     = 2048

  # Fargate's cpu:memory pairs (MiB). Keep in sync with suite/fleet/sizing.py (a test checks both agree).
  validation {
    condition = (
      (var.task_cpu == 256 && contains([512, 1024, 2048], var.task_memory)) ||
      (var.task_cpu == 512 && var.task_memory >= 1024 && var.task_memory <= 4096 && var.task_memory % 1024 == 0) ||
      (var.task_cpu == 1024 && var.task_memory >= 2048 && var.task_memory <= 8192 && var.task_memory % 1024 == 0) ||
      (var.task_cpu == 2048 && var.task_memory >= 4096 && var.task_memory <= 16384 && var.task_memory % 1024 == 0) ||
      (var.task_cpu == 4096 && var.task_memory >= 8192 && var.task_memory <= 30720 && var.task_memory % 1024 == 0) ||
      (var.task_cpu == 8192 && var.task_memory >= 16384 && var.task_memory <= 61440 && var.task_memory % 4096 == 0) ||
      (var.task_cpu == 16384 && var.task_memory >= 32768 && var.task_memory <= 122880 && var.task_memory % 8192 == 0)
    )
    error_message = "task_cpu/task_memory is not a Fargate size: 256 -> 512, 1024, 2048; 512 -> 1024-4096; 1024 -> 2048-8192; 2048 -> 4096-16384; 4096 -> 8192-30720 (steps of 1024); 8192 -> 16384-61440 (steps of 4096); 16384 -> 32768-122880 (steps of 8192)."
  }
}

variable "cpu_architecture" {
  description = "Fargate CPU architecture: X86_64 or ARM64 (the runner image is published for both)."
  type        = string
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.cpu_architecture)
    error_message = "cpu_architecture must be X86_64 or ARM64."
  }
}

variable "ephemeral_storage_gib" {
  description = "Fargate ephemeral storage per task (GiB, 21-200): the runner's work directory lives here."
  type        = number
  default     = 30

  validation {
    condition     = var.ephemeral_storage_gib >= 21 && var.ephemeral_storage_gib <= 200
    error_message = "ephemeral_storage_gib must be between 21 and 200."
  }
}

variable "runner_image" {
  description = "Runner container image: the official GitHub Actions runner image. Pin a version tag (or digest) for comparable measurements."
  type        = string
  default     = "ghcr.io/actions/actions-runner:latest"
}

variable "container_insights" {
  description = "Container Insights mode of the cluster: enhanced (task metrics with a TaskId dimension, read with GetMetricData) or standard (cheaper: the suite reads the per-task figures from the performance log's Type=Task events)."
  type        = string
  default     = "enhanced"

  validation {
    condition     = contains(["enhanced", "standard"], var.container_insights)
    error_message = "container_insights must be enhanced or standard (disabled would leave every job's CPU and memory null)."
  }
}

variable "sample_period_s" {
  description = "Seconds between two readings of the in-task sampler (task CPU and memory counters)."
  type        = number
  default     = 5

  validation {
    condition     = var.sample_period_s >= 1 && var.sample_period_s <= 60
    error_message = "sample_period_s must be between 1 and 60 seconds (Container Insights already samples once a minute)."
  }
}

variable "log_retention_days" {
  description = "Retention of the runner, sampler, task-event and Container Insights log groups (days)."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ... 3653)."
  }
}

# ---------------------------------------------------------------- network

variable "vpc_id" {
  description = "Existing VPC to run in (null: create one with public subnets and an internet gateway)."
  type        = string
  default     = null
}

variable "subnet_ids" {
  description = "Existing subnets for the tasks (with vpc_id). They need a route to GitHub: a NAT gateway, or assign_public_ip = true on public subnets."
  type        = list(string)
  default     = []

  validation {
    condition     = var.vpc_id == null || length(var.subnet_ids) > 0
    error_message = "subnet_ids must list at least one subnet when vpc_id is set."
  }
}

variable "assign_public_ip" {
  description = "Existing subnets only: give tasks a public IP (public subnets without NAT). Created VPCs decide by private_subnets."
  type        = bool
  default     = false
}

variable "vpc_cidr" {
  description = "CIDR of the created VPC."
  type        = string
  default     = "10.42.0.0/16"
}

variable "az_count" {
  description = "Availability zones (one subnet of each kind per zone) of the created VPC."
  type        = number
  default     = 2

  validation {
    condition     = var.az_count >= 1 && var.az_count <= 4
    error_message = "az_count must be between 1 and 4."
  }
}

variable "availability_zone_ids" {
  description = "Zone IDs (e.g. use1-az1, not names: names map to IDs differently per account) for the created VPC's subnets; empty: the region's zones a-f minus fargate_unsupported_zone_ids, the first az_count by zone ID."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.availability_zone_ids : can(regex("^[a-z]+[0-9]+-az[0-9]+$", id))])
    error_message = "availability_zone_ids must be zone IDs such as use1-az1 (aws ec2 describe-availability-zones shows ZoneId), not zone names."
  }
}

variable "fargate_unsupported_zone_ids" {
  description = "Zone IDs where Fargate does not run, never used for subnets. Default: the ones AWS's Fargate region table leaves out (us-west-1 runs Fargate in usw1-az1 and usw1-az3 only, ap-northeast-1 in apne1-az1, apne1-az2 and apne1-az4 only)."
  type        = list(string)
  default     = ["usw1-az2", "apne1-az3"]
}

variable "private_subnets" {
  description = "Created VPC: run the tasks in private subnets behind one NAT gateway (about 0.045 USD/h plus data) instead of public subnets with public IPs."
  type        = bool
  default     = false
}

variable "egress_ports" {
  description = "TCP ports the runners may reach on the internet (GitHub, ghcr.io and AWS APIs need 443; package mirrors often 80)."
  type        = list(number)
  default     = [443, 80]
}

variable "dns_server_cidrs" {
  description = "DNS servers (IPv4 CIDRs) the runners may reach on UDP and TCP 53, besides those the existing VPC's DHCP options name (read automatically). The Amazon-provided resolver needs no rule: security groups do not filter it."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.dns_server_cidrs : can(cidrhost(c, 0)) && !can(regex(":", c))])
    error_message = "dns_server_cidrs must be IPv4 CIDRs such as 10.0.0.2/32."
  }
}
