# Fargate sizing 2vcpu-4gb: suite deploy --env aws --tfvars terraform/sizings/2vcpu-4gb.tfvars
task_cpu    = 2048
task_memory = 4096
