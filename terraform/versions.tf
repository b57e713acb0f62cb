terraform {
  # 1.10+: S3 backend native locking (use_lockfile); 1.9+: variable validation across variables.
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 5.81 added containerInsights = "enhanced" on aws_ecs_cluster.
      version = ">= 5.81"
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
