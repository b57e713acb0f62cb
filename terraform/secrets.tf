# The runners' GitHub credential. Terraform creates the secret only: its value never passes through
# Terraform (and so never reaches the state). `suite secrets put` (make secrets) writes it with boto3:
#   PAT: {"token": "github_pat_..."}
#   App: {"app_id": "123", "installation_id": "456", "private_key": "-----BEGIN RSA PRIVATE KEY-----..."}
# Destroy then deploy at once: with secret_recovery_window_days = 0 (the default) destroy deletes the
# secret without recovery, which AWS finishes asynchronously; until then the name is "scheduled for
# deletion". The provider retries the creation for up to 2 minutes on exactly that error, and the suite
# counts a secret being deleted as absent (suite/fleet/secrets.py), so the same name is created again.
# With a recovery window of 7-30 days the name stays taken for that long (docs/aws.md, Teardown).
resource "aws_secretsmanager_secret" "github_credential" {
  name                    = "${var.fleet_name}/github-runner-credential"
  description             = "GitHub ${var.credential_kind == "app" ? "App" : "token"} the ${var.fleet_name} runners register with (written by `suite secrets put`)"
  recovery_window_in_days = var.secret_recovery_window_days

  tags = merge(local.tags, { "suite:credential-kind" = var.credential_kind })

  # checkov:skip=CKV_AWS_149:encrypted with the AWS managed key aws/secretsmanager; only the execution role may read it
  # checkov:skip=CKV2_AWS_57:a GitHub token cannot be rotated by a Lambda here; rotate it at GitHub and run `suite secrets put`
}
