# Network: a VPC with public subnets and an internet gateway by default; private subnets behind one
# NAT gateway as an option; or an existing VPC and subnets (var.vpc_id, var.subnet_ids).

locals {
  create_vpc = var.vpc_id == null
  vpc_id     = local.create_vpc ? aws_vpc.this[0].id : var.vpc_id
  azs        = slice(data.aws_availability_zones.available.names, 0, var.az_count)

  task_subnet_ids = (
    !local.create_vpc ? var.subnet_ids :
    var.private_subnets ? aws_subnet.private[*].id : aws_subnet.public[*].id
  )
  assign_public_ip = local.create_vpc ? !var.private_subnets : var.assign_public_ip
}

# Zones by name (a closed set: a zone AWS adds later never moves the subnets).
data "aws_availability_zones" "available" {
  state = "available"

  filter {
    name   = "zone-name"
    values = length(var.availability_zones) > 0 ? var.availability_zones : [for s in ["a", "b", "c", "d"] : "${var.region}${s}"]
  }
}

resource "aws_vpc" "this" {
  count = local.create_vpc ? 1 : 0

  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = merge(local.tags, { Name = var.fleet_name })

  # checkov:skip=CKV2_AWS_11:VPC flow logs cost more than this short-lived measurement fleet; the runners accept no inbound traffic
}

# Lock the VPC's default security group down: nothing uses it.
resource "aws_default_security_group" "this" {
  count = local.create_vpc ? 1 : 0

  vpc_id = aws_vpc.this[0].id
  tags   = merge(local.tags, { Name = "${var.fleet_name}-default-unused" })
}

resource "aws_internet_gateway" "this" {
  count = local.create_vpc ? 1 : 0

  vpc_id = aws_vpc.this[0].id
  tags   = merge(local.tags, { Name = var.fleet_name })
}

resource "aws_subnet" "public" {
  count = local.create_vpc ? var.az_count : 0

  vpc_id            = aws_vpc.this[0].id
  availability_zone = local.azs[count.index]
  cidr_block        = cidrsubnet(var.vpc_cidr, 8, count.index)
  # Tasks get a public IP from the ECS service (assign_public_ip), not from the subnet.
  map_public_ip_on_launch = false

  tags = merge(local.tags, { Name = "${var.fleet_name}-public-${local.azs[count.index]}" })
}

resource "aws_route_table" "public" {
  count = local.create_vpc ? 1 : 0

  vpc_id = aws_vpc.this[0].id
  tags   = merge(local.tags, { Name = "${var.fleet_name}-public" })
}

resource "aws_route" "public_internet" {
  count = local.create_vpc ? 1 : 0

  route_table_id         = aws_route_table.public[0].id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this[0].id
}

resource "aws_route_table_association" "public" {
  count = local.create_vpc ? var.az_count : 0

  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public[0].id
}

resource "aws_subnet" "private" {
  count = local.create_vpc && var.private_subnets ? var.az_count : 0

  vpc_id            = aws_vpc.this[0].id
  availability_zone = local.azs[count.index]
  cidr_block        = cidrsubnet(var.vpc_cidr, 8, 100 + count.index)

  tags = merge(local.tags, { Name = "${var.fleet_name}-private-${local.azs[count.index]}" })
}

resource "aws_eip" "nat" {
  count = local.create_vpc && var.private_subnets ? 1 : 0

  domain = "vpc"
  tags   = merge(local.tags, { Name = "${var.fleet_name}-nat" })

  depends_on = [aws_internet_gateway.this]
}

resource "aws_nat_gateway" "this" {
  count = local.create_vpc && var.private_subnets ? 1 : 0

  allocation_id = aws_eip.nat[0].id
  subnet_id     = aws_subnet.public[0].id
  tags          = merge(local.tags, { Name = var.fleet_name })

  depends_on = [aws_internet_gateway.this]
}

resource "aws_route_table" "private" {
  count = local.create_vpc && var.private_subnets ? 1 : 0

  vpc_id = aws_vpc.this[0].id
  tags   = merge(local.tags, { Name = "${var.fleet_name}-private" })
}

resource "aws_route" "private_nat" {
  count = local.create_vpc && var.private_subnets ? 1 : 0

  route_table_id         = aws_route_table.private[0].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.this[0].id
}

resource "aws_route_table_association" "private" {
  count = local.create_vpc && var.private_subnets ? var.az_count : 0

  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private[0].id
}

# The runners: no inbound traffic at all; outbound only to the ports jobs and the runner need.
resource "aws_security_group" "runner" {
  name_prefix = "${var.fleet_name}-runner-"
  description = "GitHub Actions runners of fleet ${var.fleet_name}: no inbound, outbound to the internet on egress_ports"
  vpc_id      = local.vpc_id

  tags = merge(local.tags, { Name = "${var.fleet_name}-runner" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_egress_rule" "runner" {
  for_each = toset([for p in var.egress_ports : tostring(p)])

  security_group_id = aws_security_group.runner.id
  description       = "runner egress tcp/${each.value} (GitHub, ghcr.io, AWS APIs, package mirrors)"
  ip_protocol       = "tcp"
  from_port         = tonumber(each.value)
  to_port           = tonumber(each.value)
  # checkov:skip=CKV_AWS_382:runners must reach github.com, ghcr.io and AWS endpoints, whose addresses are not fixed
  cidr_ipv4 = "0.0.0.0/0"

  tags = merge(local.tags, { Name = "${var.fleet_name}-egress-${each.value}" })
}
