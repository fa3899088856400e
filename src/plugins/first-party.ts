// The sink plugins that ship with Batchline (plugins/<name>/).
import { fileSink } from '../../plugins/file-sink/index.ts';
import { httpSink } from '../../plugins/http-sink/index.ts';
import { postgresSink } from '../../plugins/postgres-sink/index.ts';
import { zendeskSink } from '../../plugins/zendesk-sink/index.ts';
import type { SinkPlugin } from './contract.ts';

export function firstPartySinks(): SinkPlugin[] {
  return [fileSink as SinkPlugin, httpSink as SinkPlugin, postgresSink as SinkPlugin, zendeskSink as SinkPlugin];
}
