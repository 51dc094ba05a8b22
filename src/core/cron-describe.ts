/** English for the common shapes of a 5-field cron; anything else is shown as the cron itself. */

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const NUMBER = /^\d+$/;
const STEP = /^\*\/(\d+)$/;

export function describeCron(cron: string, timezone: string): string {
  const [minute = '', hour = '', dayOfMonth = '', month = '', dayOfWeek = ''] = cron.split(/\s+/);
  const time = NUMBER.test(minute) && NUMBER.test(hour) ? `${pad(hour)}:${pad(minute)} ${timezone}` : null;
  const everyDay = dayOfMonth === '*' && month === '*' && dayOfWeek === '*';

  if (minute === '*' && hour === '*' && everyDay) return 'every minute';
  const minuteStep = STEP.exec(minute);
  if (minuteStep && hour === '*' && everyDay) return `every ${minuteStep[1]} minutes`;
  if (NUMBER.test(minute) && hour === '*' && everyDay) return `every hour at minute ${Number(minute)}`;
  const hourStep = STEP.exec(hour);
  if (NUMBER.test(minute) && hourStep && everyDay) return `every ${hourStep[1]} hours at minute ${Number(minute)} (${timezone})`;
  if (time === null) return fallback(cron, timezone);

  if (everyDay) return `every day at ${time}`;
  if (dayOfMonth === '*' && month === '*' && NUMBER.test(dayOfWeek)) {
    const day = DAYS[Number(dayOfWeek)];
    if (day) return `every ${day} at ${time}`;
  }
  if (dayOfMonth === '*' && month === '*' && dayOfWeek === '1-5') return `every weekday at ${time}`;
  if (NUMBER.test(dayOfMonth) && month === '*' && dayOfWeek === '*') return `on day ${Number(dayOfMonth)} of every month at ${time}`;
  if (dayOfMonth === 'L' && month === '*' && dayOfWeek === '*') return `on the last day of every month at ${time}`;
  if (NUMBER.test(dayOfMonth) && NUMBER.test(month) && dayOfWeek === '*') {
    const name = MONTHS[Number(month) - 1];
    if (name) return `every year on ${name} ${Number(dayOfMonth)} at ${time}`;
  }
  return fallback(cron, timezone);
}

function pad(field: string): string {
  return field.padStart(2, '0');
}

function fallback(cron: string, timezone: string): string {
  return `cron '${cron}' (${timezone})`;
}
