# Fargate sizing 1vcpu-2gb: suite deploy --env aws --tfvars terraform/sizings/1vcpu-2gb.tfvars
task_cpu    = 1024
task_memory = 2048
