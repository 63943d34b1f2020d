from aws_cdk import App, Environment, Stack, aws_ec2 as ec2
from cdk_cross_region_failover import AuroraRegionOptions, MultiRegionAuroraPostgres


def build(app: App) -> MultiRegionAuroraPostgres:
    """A Stack and a VPC per Region, and an Aurora PostgreSQL global database across them."""
    stacks, vpcs = [], []
    for region in ("us-east-1", "eu-west-1"):
        stack = Stack(app, f"orders-{region}", env=Environment(region=region))
        vpcs.append(ec2.Vpc(stack, "Vpc", nat_gateways=0, subnet_configuration=[
            ec2.SubnetConfiguration(name="db", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
        ]))
        stacks.append(stack)
    return MultiRegionAuroraPostgres(app, "Database", name="orders", regions=[
        AuroraRegionOptions(stack=stacks[0], vpc=vpcs[0], database_name="orders"),  # initial primary
        AuroraRegionOptions(stack=stacks[1], vpc=vpcs[1], headless=True),  # warm standby
    ])


if __name__ == "__main__":
    app = App()
    build(app)
    app.synth()
