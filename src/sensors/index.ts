/**
 * `sluice/sensors`: ready-made sensor checks for DAG files, each used as
 * `d.sensor(id, options, externalTaskSensor({ dagId: 'orders_daily' }))`. A check returns a falsy
 * value for "not yet" and, when done, a JSON value saying what it found (the sensor's XCom). Each
 * factory checks its options when called (while the DAG file is parsed), so a typo is an import
 * error with the file and line.
 */
export { externalTaskSensor, type ExternalTaskSensorOptions, type ExternalTaskResult } from './external-task.ts';
export { s3KeySensor, type S3KeySensorOptions, type S3KeyResult } from './s3-key.ts';
export { sqlSensor, type SqlSensorOptions, type SqlResult } from './sql.ts';
export { httpSensor, type HttpSensorOptions, type HttpResult } from './http.ts';
export { timeSensor, type TimeSensorOptions, type TimeResult } from './time.ts';
export type { SensorCheck } from './checks.ts';
