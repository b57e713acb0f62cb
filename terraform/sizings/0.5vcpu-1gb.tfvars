# Fargate sizing 0.5vcpu-1gb: suite deploy --env aws --tfvars terraform/sizings/0.5vcpu-1gb.tfvars
task_cpu    = 512
task_memory = 1024
