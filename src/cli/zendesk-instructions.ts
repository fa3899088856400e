// What `batchline zendesk setup` tells a support lead to create in Zendesk: the webhook (where it posts,
// how it signs) and the trigger that calls it for new tickets, with the condition that keeps Batchline's
// own updates out (Batchline also recognises and drops them itself: docs/plugins.md).

export interface SetupPlan {
  connection: string;
  /** Batchline as Zendesk reaches it, e.g. https://batchline.acme.example */
  publicUrl: string;
  /** The Zendesk user Batchline signs in as (the connection's email), when it signs in with a token. */
  apiUser: string | undefined;
  webhookSecretSet: boolean;
  job: { id: string; created: boolean } | undefined;
}

/** The trigger's JSON body: Zendesk placeholders, in the `{ "ticket": … }` shape the zendesk source reads. */
export const TRIGGER_BODY = {
  ticket: {
    id: '{{ticket.id}}',
    subject: '{{ticket.title}}',
    description: '{{ticket.description}}',
    status: '{{ticket.status}}',
    priority: '{{ticket.priority}}',
    type: '{{ticket.ticket_type}}',
    tags: '{{ticket.tags}}',
    created_at: '{{ticket.created_at_with_timestamp}}',
    updated_at: '{{ticket.updated_at_with_timestamp}}',
    requester_id: '{{ticket.requester.id}}',
    group_id: '{{ticket.group.id}}',
  },
};

export function webhookUrlOf(plan: Pick<SetupPlan, 'publicUrl' | 'connection'>): string {
  return `${plan.publicUrl.replace(/\/+$/, '')}/v1/connections/${encodeURIComponent(plan.connection)}/webhook`;
}

export function triggerConditions(apiUser: string | undefined): string[] {
  return ['Ticket | Is | Created', `Current user | Is not | ${apiUser ?? 'the user Batchline signs in as'}   (skips Batchline's own updates)`];
}

export function setupInstructions(plan: SetupPlan): string[] {
  const url = webhookUrlOf(plan);
  const lines = [
    `Connection "${plan.connection}" (zendesk, source and sink) is ready${plan.apiUser ? `; Batchline signs in as ${plan.apiUser}` : ''}.`,
    '',
    '1. Zendesk Admin Center → Apps and integrations → Webhooks → Create webhook → Trigger or automation:',
    `     Endpoint URL     ${url}`,
    '     Request method   POST',
    '     Request format   JSON',
    '     Authentication   None (Batchline checks the X-Zendesk-Webhook-Signature of every call)',
  ];
  if (!plan.webhookSecretSet) {
    lines.push(
      '   Zendesk then shows the webhook\'s signing secret ("Reveal secret"). Give it to Batchline, and the',
      '   stream job starts:',
      `     batchline zendesk setup --name ${plan.connection} --webhook-secret-file -     (paste it on stdin)`,
    );
  } else {
    lines.push("   Signing secret   the webhook's own (Reveal secret): Batchline holds it, sealed");
  }
  lines.push(
    '',
    '2. Admin Center → Objects and rules → Triggers → Create trigger "Batchline triage":',
    '     Conditions (meet all):',
    ...triggerConditions(plan.apiUser).map((c) => `       ${c}`),
    '     Actions:  Notify by → Active webhook → the webhook above, with this JSON body:',
    `       ${JSON.stringify(TRIGGER_BODY)}`,
    '',
  );
  if (plan.job) {
    lines.push(
      `${plan.job.created ? 'Started' : 'Already running'}: stream job ${plan.job.id}. Each new ticket is triaged and written back: tags batchline_triaged,`,
      'batchline_category_*, batchline_priority_* and batchline_<suggested tag>, and one private note (summary, whether a',
      'human is needed). Priority, status, group and assignee are left alone. Updates Batchline makes never come back as',
      `work. Stop it with: batchline cancel ${plan.job.id}   (POST /v1/jobs/${plan.job.id}/close to finish what it holds)`,
    );
  } else {
    lines.push('No stream job yet: it starts once the webhook\'s signing secret is given (step 1).');
  }
  return lines;
}
