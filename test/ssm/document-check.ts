/**
 * A static check of a schema-0.3 Automation document, step by step: known actions with
 * their required inputs, step names, step references (nextStep, onFailure, branch
 * targets), variable references (parameters, automation variables, outputs of steps
 * that run before), parameter types and defaults, and reachability of every step.
 * Returns the problems found; an empty list means the document passed.
 */

type Step = Record<string, any>;

const PARAMETER_TYPES = ['String', 'StringList', 'Integer', 'Boolean', 'MapList', 'StringMap'];
const OUTPUT_TYPES = ['String', 'Integer', 'Boolean', 'StringList', 'StringMap', 'MapList'];
const AUTOMATION_VARIABLES = ['automation:EXECUTION_ID', 'automation:DOCUMENT_NAME', 'global:ACCOUNT_ID', 'global:REGION', 'global:DATE_TIME', 'global:AWS_PARTITION'];
const BRANCH_OPERATORS = ['StringEquals', 'EqualsIgnoreCase', 'StartsWith', 'EndsWith', 'Contains', 'NumericEquals', 'NumericGreater', 'NumericLesser', 'NumericGreaterOrEquals', 'NumericLesserOrEquals', 'BooleanEquals'];

/**
 * Per action: the inputs the reference requires, and the output selectors it documents
 * (aws:invokeLambdaFunction lists four outputs; aws:executeScript selects in what the
 * handler returns, `$.Payload` or `$.Payload.<key>`).
 */
const ACTIONS: Record<string, { required: string[][]; selectors?: RegExp }> = {
  'aws:invokeLambdaFunction': { required: [['FunctionName']], selectors: /^\$\.(StatusCode|FunctionError|LogResult|Payload)$/ },
  'aws:executeScript': { required: [['Runtime'], ['Handler'], ['Script', 'Attachment']], selectors: /^\$\.Payload(\.[A-Za-z0-9_]+)?$/ },
  'aws:branch': { required: [['Choices']] },
  'aws:approve': { required: [['Approvers']] },
  'aws:loop': { required: [['Steps'], ['LoopCondition', 'Iterators'], ['MaxIterations']] },
  'aws:sleep': { required: [['Duration', 'Timestamp']] },
  'aws:executeAwsApi': { required: [['Service'], ['Api']] },
};

function referencesIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') {
    for (const m of value.matchAll(/\{\{\s*([^}\s]+)\s*\}\}/g)) out.push(m[1]);
  } else if (Array.isArray(value)) {
    value.forEach((v) => referencesIn(v, out));
  } else if (value && typeof value === 'object') {
    Object.values(value).forEach((v) => referencesIn(v, out));
  }
  return out;
}

function typeMatches(type: string, value: unknown): boolean {
  switch (type) {
    case 'String': return typeof value === 'string';
    case 'Integer': return Number.isInteger(value);
    case 'Boolean': return typeof value === 'boolean';
    case 'StringList': return Array.isArray(value) && value.every((v) => typeof v === 'string');
    default: return true;
  }
}

export function checkDocument(doc: Record<string, any>): string[] {
  const problems: string[] = [];
  if (doc.schemaVersion !== '0.3') problems.push(`schemaVersion is ${JSON.stringify(doc.schemaVersion)}, not '0.3'`);
  if (typeof doc.assumeRole !== 'string' || !doc.assumeRole) problems.push('no assumeRole');
  if (typeof doc.description !== 'string' || !doc.description) problems.push('no description');

  const parameters: Record<string, any> = doc.parameters ?? {};
  for (const [name, p] of Object.entries(parameters)) {
    if (!PARAMETER_TYPES.includes(p.type)) problems.push(`parameter ${name}: unknown type ${p.type}`);
    if (!p.description) problems.push(`parameter ${name}: no description`);
    if ('default' in p && !typeMatches(p.type, p.default)) problems.push(`parameter ${name}: default ${JSON.stringify(p.default)} is not a ${p.type}`);
    if (p.allowedValues && 'default' in p && !p.allowedValues.includes(p.default)) problems.push(`parameter ${name}: default not among allowedValues`);
  }

  const mainSteps: Step[] = doc.mainSteps ?? [];
  if (mainSteps.length === 0) problems.push('no mainSteps');
  const topNames = mainSteps.map((s) => s.name);
  const all: { step: Step; index: number; parent?: Step }[] = [];
  mainSteps.forEach((step, index) => {
    all.push({ step, index });
    if (step.action === 'aws:loop') for (const inner of step.inputs?.Steps ?? []) all.push({ step: inner, index, parent: step });
  });
  const seen = new Set<string>();
  for (const { step } of all) {
    if (!/^[A-Za-z0-9_]{1,100}$/.test(step.name ?? '')) problems.push(`step name ${JSON.stringify(step.name)} is not letters, digits and underscores`);
    if (seen.has(step.name)) problems.push(`step name ${step.name} is used twice`);
    seen.add(step.name);
  }
  // Outputs each step declares, by step name.
  const outputs = new Map<string, Set<string>>();
  for (const { step } of all) {
    const names = new Set<string>();
    for (const o of step.outputs ?? []) {
      if (!o.Name || !o.Selector) problems.push(`step ${step.name}: an output without Name or Selector`);
      if (!OUTPUT_TYPES.includes(o.Type)) problems.push(`step ${step.name}: output ${o.Name} has unknown type ${o.Type}`);
      names.add(o.Name);
    }
    if (step.action === 'aws:approve') names.add('ApprovalStatus');
    outputs.set(step.name, names);
  }

  const checkTarget = (from: string, what: string, target: unknown) => {
    if (typeof target !== 'string') return;
    const name = target.startsWith('step:') ? target.slice(5) : what === 'onFailure' && ['Abort', 'Continue'].includes(target) ? undefined : target;
    if (what === 'onFailure' && !target.startsWith('step:') && !['Abort', 'Continue'].includes(target)) {
      problems.push(`step ${from}: onFailure ${target} is not Abort, Continue or step:<name>`);
      return;
    }
    if (name !== undefined && !topNames.includes(name)) problems.push(`step ${from}: ${what} names step ${name}, which does not exist`);
  };

  for (const { step, index, parent } of all) {
    const spec = ACTIONS[step.action];
    if (!spec) {
      problems.push(`step ${step.name}: unknown action ${step.action}`);
      continue;
    }
    for (const alternatives of spec.required) {
      if (!alternatives.some((k) => step.inputs?.[k] !== undefined)) problems.push(`step ${step.name}: ${step.action} needs input ${alternatives.join(' or ')}`);
    }
    if (step.action === 'aws:invokeLambdaFunction' && (step.timeoutSeconds ?? 0) > 300) problems.push(`step ${step.name}: timeoutSeconds over the 300 s aws:invokeLambdaFunction allows`);
    if (step.action === 'aws:executeScript' && (step.timeoutSeconds ?? 0) > 600) problems.push(`step ${step.name}: timeoutSeconds over the 600 s aws:executeScript allows`);
    for (const o of step.outputs ?? []) {
      if (spec.selectors && !spec.selectors.test(o.Selector ?? '')) {
        problems.push(`step ${step.name}: output ${o.Name} selector ${o.Selector} is not one ${step.action} documents`);
      }
    }
    if (step.action === 'aws:loop' && step.inputs.MaxIterations > 100) problems.push(`step ${step.name}: MaxIterations over 100`);
    if (step.action === 'aws:branch') {
      for (const choice of step.inputs.Choices ?? []) {
        if (!BRANCH_OPERATORS.some((op) => op in choice)) problems.push(`step ${step.name}: a choice without a known operator`);
        checkTarget(step.name, 'NextStep', choice.NextStep);
      }
      checkTarget(step.name, 'Default', step.inputs.Default);
    }
    checkTarget(step.name, 'nextStep', step.nextStep);
    checkTarget(step.name, 'onFailure', step.onFailure);

    // Variables: a parameter, an automation variable, or an output of a step that can have run.
    const ownLoopSibling = (name: string) =>
      parent?.inputs.Steps.some((s: Step) => s.name === name) || step.inputs?.Steps?.some((s: Step) => s.name === name);
    const inputsToCheck = step.action === 'aws:loop' ? { LoopCondition: step.inputs.LoopCondition, MaxIterations: step.inputs.MaxIterations } : step.inputs;
    for (const ref of referencesIn(inputsToCheck)) {
      if (ref in parameters || AUTOMATION_VARIABLES.includes(ref)) continue;
      const [stepName, output, ...rest] = ref.split('.');
      if (!output || rest.length > 0) {
        problems.push(`step ${step.name}: {{ ${ref} }} is neither a parameter nor a step output`);
        continue;
      }
      const source = all.find((x) => x.step.name === stepName);
      if (!source) {
        problems.push(`step ${step.name}: {{ ${ref} }} names step ${stepName}, which does not exist`);
        continue;
      }
      if (!outputs.get(stepName)!.has(output)) problems.push(`step ${step.name}: {{ ${ref} }}: step ${stepName} has no output ${output}`);
      // An output of a step inside a loop is documented for the loop's own LoopCondition and steps only.
      if (source.parent && source.parent !== parent && source.parent !== step) {
        problems.push(`step ${step.name}: {{ ${ref} }} reads a step inside loop ${source.parent.name} from outside it`);
      }
      if (source.index >= index && !ownLoopSibling(stepName)) problems.push(`step ${step.name}: {{ ${ref} }} refers to a step that runs later`);
    }
  }

  for (const ref of doc.outputs ?? []) {
    const [stepName, output] = String(ref).split('.');
    if (!outputs.get(stepName)?.has(output)) problems.push(`document output ${ref} is not an output of a step`);
  }

  // Every step can be reached from the first.
  const reached = new Set<string>();
  const visit = (i: number) => {
    const step = mainSteps[i];
    if (!step || reached.has(step.name)) return;
    reached.add(step.name);
    const go = (target?: string) => {
      if (!target) return;
      const name = target.startsWith('step:') ? target.slice(5) : target;
      const j = topNames.indexOf(name);
      if (j >= 0) visit(j);
    };
    go(step.onFailure);
    if (step.action === 'aws:branch') {
      step.inputs.Choices.forEach((c: Step) => go(c.NextStep));
      go(step.inputs.Default);
      if (!step.inputs.Default) visit(i + 1);
    } else if (step.nextStep) {
      go(step.nextStep);
    } else if (!step.isEnd) {
      visit(i + 1);
    }
  };
  visit(0);
  for (const name of topNames) if (!reached.has(name)) problems.push(`step ${name} cannot be reached`);
  const last = mainSteps[mainSteps.length - 1];
  if (last && !last.isEnd && !last.nextStep) problems.push(`the last step ${last.name} does not end the document (isEnd)`);
  return problems;
}
