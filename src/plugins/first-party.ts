// The plugins that ship with Batchline (plugins/<name>/).
import { fileSink } from '../../plugins/file-sink/index.ts';
import { httpSink } from '../../plugins/http-sink/index.ts';
import { invoicesSource } from '../../plugins/invoices/index.ts';
import { postgresSink } from '../../plugins/postgres-sink/index.ts';
import { reviewsSource } from '../../plugins/reviews/index.ts';
import { zendeskSink } from '../../plugins/zendesk-sink/index.ts';
import { zendeskSource } from '../../plugins/zendesk-source/index.ts';
import type { SinkPlugin, SourcePlugin } from './contract.ts';

export function firstPartySinks(): SinkPlugin[] {
  return [fileSink as SinkPlugin, httpSink as SinkPlugin, postgresSink as SinkPlugin, zendeskSink as SinkPlugin];
}

export function firstPartySources(): SourcePlugin[] {
  return [reviewsSource as SourcePlugin, invoicesSource as SourcePlugin, zendeskSource as SourcePlugin];
}
