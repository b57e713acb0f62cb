# Fargate sizing 4vcpu-8gb: suite deploy --env aws --tfvars terraform/sizings/4vcpu-8gb.tfvars
task_cpu    = 4096
task_memory = 8192
