# Network: a VPC with public subnets and an internet gateway by default; private subnets behind one
# NAT gateway as an option; or an existing VPC and subnets (var.vpc_id, var.subnet_ids).

locals {
  create_vpc = var.vpc_id == null
  vpc_id     = local.create_vpc ? aws_vpc.this[0].id : var.vpc_id
  # Zone IDs (the same physical zone in every account; names map to IDs differently per account).
  az_ids = slice(sort(data.aws_availability_zones.available.zone_ids), 0, var.az_count)

  task_subnet_ids = (
    !local.create_vpc ? var.subnet_ids :
    var.private_subnets ? aws_subnet.private[*].id : aws_subnet.public[*].id
  )
  assign_public_ip = local.create_vpc ? !var.private_subnets : var.assign_public_ip
}

# Subnets are placed by zone ID, never by name: Fargate runs only in some zone IDs of a few regions
# (AWS's Fargate region table: us-west-1 in usw1-az1 and usw1-az3 only, ap-northeast-1 in apne1-az1,
# apne1-az2 and apne1-az4 only), and a name such as us-west-1a is a different zone ID in another
# account. The candidates are a closed set (the region's zones a-f: a zone AWS adds later never moves
# the subnets), the known non-Fargate IDs excluded, sorted by ID; availability_zone_ids pins them.
data "aws_availability_zones" "available" {
  state            = "available"
  exclude_zone_ids = var.fargate_unsupported_zone_ids

  filter {
    name   = "zone-name"
    values = [for s in ["a", "b", "c", "d", "e", "f"] : "${var.region}${s}"]
  }

  dynamic "filter" {
    for_each = length(var.availability_zone_ids) > 0 ? [var.availability_zone_ids] : []
    content {
      name   = "zone-id"
      values = filter.value
    }
  }

  lifecycle {
    postcondition {
      condition     = length(self.zone_ids) >= var.az_count
      error_message = "Fewer Fargate zones than az_count in this region (after fargate_unsupported_zone_ids and availability_zone_ids): lower az_count or list other zone IDs."
    }
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

  vpc_id               = aws_vpc.this[0].id
  availability_zone_id = local.az_ids[count.index]
  cidr_block           = cidrsubnet(var.vpc_cidr, 8, count.index)
  # Tasks get a public IP from the ECS service (assign_public_ip), not from the subnet.
  map_public_ip_on_launch = false

  tags = merge(local.tags, { Name = "${var.fleet_name}-public-${local.az_ids[count.index]}" })
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

  vpc_id               = aws_vpc.this[0].id
  availability_zone_id = local.az_ids[count.index]
  cidr_block           = cidrsubnet(var.vpc_cidr, 8, 100 + count.index)

  tags = merge(local.tags, { Name = "${var.fleet_name}-private-${local.az_ids[count.index]}" })
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

# DNS. The Amazon-provided resolver (VPC base + 2, 169.254.169.253) is not filtered by security groups,
# so a created VPC needs no rule. An existing VPC whose DHCP options name other DNS servers does: the
# tasks could not resolve github.com through egress_ports alone. Those servers (IPv4) are read from the
# VPC's DHCP options and allowed on UDP and TCP 53, with any CIDRs in dns_server_cidrs.
data "aws_vpc" "existing" {
  count = local.create_vpc ? 0 : 1
  id    = var.vpc_id
}

data "aws_vpc_dhcp_options" "existing" {
  count           = !local.create_vpc && try(data.aws_vpc.existing[0].dhcp_options_id, "default") != "default" ? 1 : 0
  dhcp_options_id = data.aws_vpc.existing[0].dhcp_options_id
}

locals {
  dhcp_dns_servers = try(data.aws_vpc_dhcp_options.existing[0].domain_name_servers, [])
  dns_server_cidrs = distinct(concat(var.dns_server_cidrs, [
    for ip in local.dhcp_dns_servers : "${ip}/32" if can(regex("^\\d+\\.\\d+\\.\\d+\\.\\d+$", ip))
  ]))
  dns_rules = { for pair in setproduct(local.dns_server_cidrs, ["udp", "tcp"]) : "${pair[1]}/${pair[0]}" => pair }
}

resource "aws_vpc_security_group_egress_rule" "dns" {
  for_each = local.dns_rules

  security_group_id = aws_security_group.runner.id
  description       = "runner DNS ${each.value[1]}/53 to ${each.value[0]} (the VPC's custom DNS servers)"
  ip_protocol       = each.value[1]
  from_port         = 53
  to_port           = 53
  cidr_ipv4         = each.value[0]

  tags = merge(local.tags, { Name = "${var.fleet_name}-dns-${each.value[1]}" })
}
