/**
 * The smallest interesting DAG: fan out, fan in, pass values with XCom, read params.
 * Trigger it with `npx sluice dags trigger hello_world --conf '{"name": "Ada"}'`.
 */
import { dag } from 'sluice';

const d = dag('hello_world', {
  schedule: null,
  description: 'Fan out and in, passing values between tasks',
  tags: ['example'],
  params: { name: 'world' },
});

const greet = d.task('greet', async (ctx) => {
  ctx.log.info({ name: ctx.params.name }, 'saying hello');
  return { greeting: `Hello, ${String(ctx.params.name)}!` };
});

const shout = d.task('shout', async (ctx) => {
  const value = await ctx.xcom<{ greeting: string }>('greet');
  return value?.greeting.toUpperCase();
});

const count = d.task('count_letters', async (ctx) => {
  const value = await ctx.xcom<{ greeting: string }>('greet');
  return value?.greeting.replace(/[^a-z]/gi, '').length ?? 0;
});

const report = d.task('report', async (ctx) => {
  const [loud, letters] = await Promise.all([ctx.xcom<string>('shout'), ctx.xcom<number>('count_letters')]);
  ctx.log.info({ loud, letters }, 'done');
  return { loud, letters };
});

greet.then([shout, count]);
report.after([shout, count]);

export default d;
