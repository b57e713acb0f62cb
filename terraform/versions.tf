terraform {
  # 1.10+: S3 backend native locking (use_lockfile); 1.9+: variable validation across variables.
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 6.40+: aws_cloudwatch_log_resource_policy.resource_arn (a policy on one log group, not
      # account-wide). Below 7.0: a major release may remove or rename arguments. The module is checked
      # offline against the provider schema of both ends (tests/fixtures/aws_provider_schema*.json).
      version = ">= 6.40, < 7.0"
    }
  }
}

provider "aws" {
  region = var.region

  # Every resource the provider can tag carries these; resources also set tags explicitly (local.tags).
  default_tags {
    tags = local.tags
  }
}
