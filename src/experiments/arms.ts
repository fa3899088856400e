// An experiment's arms: each a variant of the experiment's task (model, prompt, system, max_tokens),
// turned into the task part of an ordinary job request and checked as a job would check it. Problems are
// 422s naming the arm's field (`arms.1.prompt`).
import { invalidField } from '../errors.ts';
import { resolveTask, type CustomTaskInput } from '../tasks/registry.ts';
import { templatePlaceholderError } from '../tasks/template.ts';
import type { ResolvedTask } from '../tasks/types.ts';
import type { ArmInput, ArmJobRequest } from './types.ts';

export interface ResolvedArm {
  name: string;
  spec: ArmInput;
  request: ArmJobRequest;
  task: ResolvedTask;
}

const ARM_NAME = /^[A-Za-z0-9_.-]{1,40}$/;

/** A, B, … Z, then arm-27, … */
function defaultName(i: number): string {
  return i < 26 ? String.fromCharCode(65 + i) : `arm-${i + 1}`;
}

/**
 * The job request of one arm: the experiment's task as given, with the arm's model and max_tokens as job
 * overrides. A new prompt or system prompt makes it an inline task with the same name and answer schema.
 */
function armRequest(taskInput: string | CustomTaskInput, base: ResolvedTask, arm: ArmInput): ArmJobRequest {
  const overrides = { ...(arm.model !== undefined ? { model: arm.model } : {}), ...(arm.max_tokens !== undefined ? { max_tokens: arm.max_tokens } : {}) };
  if (arm.prompt === undefined && arm.system === undefined) return { task: taskInput, ...overrides };
  const system = arm.system ?? base.system;
  const task: CustomTaskInput = {
    name: base.name,
    prompt: arm.prompt ?? base.prompt,
    ...(system !== null ? { system } : {}),
    output_schema: base.output_schema,
    model: base.model,
    max_tokens: base.max_tokens,
  };
  return { task, ...overrides };
}

export function resolveArms(taskInput: string | CustomTaskInput, base: ResolvedTask, arms: readonly ArmInput[]): ResolvedArm[] {
  if (arms.length < 2) throw invalidField('arms', `an experiment compares at least two arms; got ${arms.length}`);
  const names = new Map<string, number>();
  return arms.map((arm, i) => {
    const name = arm.name ?? defaultName(i);
    if (!ARM_NAME.test(name)) throw invalidField(`arms.${i}.name`, 'use 1–40 letters, digits, _ . -');
    const first = names.get(name);
    if (first !== undefined) throw invalidField(`arms.${i}.name`, `"${name}" is also the name of arms.${first}`);
    names.set(name, i);
    if (arm.prompt !== undefined) {
      const problem = templatePlaceholderError(arm.prompt);
      if (problem) throw invalidField(`arms.${i}.prompt`, problem);
    }
    if (arm.max_tokens !== undefined && (!Number.isInteger(arm.max_tokens) || arm.max_tokens < 1 || arm.max_tokens > 128_000)) {
      throw invalidField(`arms.${i}.max_tokens`, 'must be a whole number from 1 to 128000');
    }
    const request = armRequest(taskInput, base, arm);
    let task: ResolvedTask;
    try {
      task = resolveTask(request.task, { model: request.model, max_tokens: request.max_tokens });
    } catch (error) {
      // The experiment's own task was checked already: what fails here is the arm's change.
      throw invalidField(`arms.${i}`, (error as Error).message);
    }
    return { name, spec: arm, request, task };
  });
}
