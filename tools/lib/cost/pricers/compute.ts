/** Lambda functions: requests, GB-seconds at the function's MemorySize and architecture, X-Ray traces. */
import { EMPTY_DEPS } from '../evaluate';
import { handlerOf } from '../flows';
import { count, item, type Pricer } from '../pricer';
import { HANDLERS } from '../workload';

export const lambdaFunction: Pricer = {
  types: ['AWS::Lambda::Function'],
  price(r, ctx) {
    const flow = ctx.flows.functions.get(r.key);
    const invocations = flow?.invocations ?? 0;
    const records = flow?.recordsPerInvocation ?? 0;
    const deps = flow?.deps ?? EMPTY_DEPS;
    const memory = r.num('MemorySize', 128);
    const arch = r.list('Architectures').value[0] === 'arm64' ? 'arm64' : 'x86_64';
    const handler = handlerOf(r);
    const behaviour = HANDLERS[handler ?? ''];
    const durationMs = behaviour ? behaviour.durationMs.base + behaviour.durationMs.perRecord * records : 100;
    const gbSeconds = invocations * (durationMs / 1000) * (memory.value / 1024);
    const traced = r.str('TracingConfig.Mode').value === 'Active';
    const trigger = flow && flow.triggers.length > 0 ? flow.triggers.join(', ') : 'no trigger found in the templates';
    return {
      noun: 'Lambda function',
      items: [
        item('requests', 'usage', invocations / 1e6, 'lambda.request.million', `${count(invocations)} invocations: ${trigger}`, deps),
        item(
          `compute (${arch})`,
          'usage',
          gbSeconds,
          `lambda.${arch}.gbSecond`,
          `${count(invocations)} × ${Math.round(durationMs)} ms × ${memory.value} MB (MemorySize)${behaviour ? '' : ', 100 ms assumed: no behaviour known for this handler'}`,
          deps,
          memory.deps,
        ),
        ...(traced
          ? [
              item(
                'X-Ray traces',
                'usage',
                invocations / 1e6,
                'xray.trace.million',
                `TracingConfig Active: every invocation traced at this rate (the default sampling keeps the first request each second)`,
                deps,
              ),
            ]
          : []),
      ],
    };
  },
};

export const computePricers: readonly Pricer[] = [lambdaFunction];
