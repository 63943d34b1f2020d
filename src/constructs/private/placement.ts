import { Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * Where a construct that spans stacks puts what belongs in one of them: under itself in
 * the stack that holds it, and under a construct of the same id (plus `suffix`) at the
 * root of any other stack, made once per stack and suffix. The ids are part of every
 * logical ID below them: they never change.
 */
export class RegionalPlacement {
  private readonly ownStack?: Stack;
  private readonly parents = new Map<string, Construct>();

  constructor(private readonly construct: Construct) {
    this.ownStack = construct.node.scopes.find((s): s is Stack => Stack.isStack(s));
  }

  /**
   * The parent of the construct's resources in `stack`.
   *
   * @param suffix appended to the construct's id for the parent in another stack; the
   * construct itself is the parent in its own stack whatever the suffix
   */
  public parentIn(stack: Stack, suffix = ''): Construct {
    if (stack === this.ownStack) return this.construct;
    const id = `${this.construct.node.id}${suffix}`;
    const key = `${stack.node.path}\u0000${id}`;
    let parent = this.parents.get(key);
    if (!parent) {
      parent = new Construct(stack, id);
      this.parents.set(key, parent);
    }
    return parent;
  }
}
