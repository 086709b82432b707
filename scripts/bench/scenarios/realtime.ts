import { io, type Socket } from 'socket.io-client';
import { createRooms, createUsers, cpuSampler, futureBase, http, mapLimit, type BenchContext } from '../context';
import { progress } from '../stack';
import { summarize, type LatencySummary } from '../stats';

export interface RealtimeResult {
  clients: number;
  rooms: number;
  apis: number;
  changes: number;
  /** Per change: from its 2xx to the moment the last subscriber had it. */
  allSubscribers: LatencySummary;
  /** Per delivery: from the change's 2xx to one subscriber's receipt. */
  perDelivery: LatencySummary;
  /**
   * Per change: from sending the request to the moment the last subscriber had it. The event can
   * arrive before the 2xx (it leaves with the workflow task that answers), where the measure above
   * counts 0; this one shows what a person watching a display beside the requester sees.
   */
  fromRequest: LatencySummary;
  fromRequestSamples: number[];
  allSamples: number[];
  deliverySamples: number[];
  expectedDeliveries: number;
  missed: number;
  duplicated: number;
  beforeAnswer: number;
  failedChanges: number;
  cpu: Record<string, number>;
}

interface Received { at: number; eventId: string }

export async function connectClient(url: string, token: string): Promise<Socket> {
  const socket = io(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
  return socket;
}

export async function subscribe(socket: Socket, roomId: string): Promise<void> {
  const ack = await socket.timeout(10_000).emitWithAck('room:subscribe', { roomId });
  if (!ack?.ok) throw new Error(`room:subscribe failed: ${JSON.stringify(ack)}`);
}

/**
 * Scenario 5: clients spread over two api processes, each following one room; a booking is made
 * in a room through the API, and every follower of the room must hear of it exactly once.
 */
export async function realtime(ctx: BenchContext): Promise<RealtimeResult> {
  const { realtimeClients, realtimeRooms, realtimeChanges } = ctx.sizes;
  const rooms = await createRooms(ctx, realtimeRooms, { building: `bench-realtime-${ctx.runId}` });
  const watchers = await createUsers(ctx, 10, 'watcher');
  // Organizers are not connected: their own-booking events would reach them besides the room's.
  const organizers = await createUsers(ctx, 10, 'organizer');
  progress(`realtime: connecting ${realtimeClients} clients to ${ctx.apiUrls.length} api processes, following ${realtimeRooms} rooms`);
  const received: Map<string, Received[]>[] = [];
  const sockets = await mapLimit(Array.from({ length: realtimeClients }, (_, i) => i), 25, async (i) => {
    const socket = await connectClient(ctx.apiUrls[i % ctx.apiUrls.length], watchers[i % watchers.length].token);
    const mine = new Map<string, Received[]>();
    received[i] = mine;
    socket.on('booking.updated', (event: { eventId: string; booking: { id: string } }) => {
      const at = performance.now();
      const list = mine.get(event.booking.id) ?? [];
      list.push({ at, eventId: event.eventId });
      mine.set(event.booking.id, list);
    });
    await subscribe(socket, rooms[i % rooms.length]);
    return socket;
  });
  try {
    const base = futureBase(4);
    const changes: { bookingId?: string; room: number; sentAt: number; answeredAt: number }[] = [];
    let failedChanges = 0;
    const sample = cpuSampler(ctx);
    progress(`  ${realtimeChanges} bookings, two at a time`);
    await mapLimit(Array.from({ length: realtimeChanges }, (_, k) => k), 2, async (k) => {
      const room = k % rooms.length;
      const slot = Math.floor(k / rooms.length);
      const sentAt = performance.now();
      const res = await http(`${ctx.apiUrls[k % ctx.apiUrls.length]}/api/v1/bookings`, organizers[k % organizers.length].token, {
        method: 'POST',
        body: { roomId: rooms[room], start: new Date(base + slot * 900_000).toISOString(), end: new Date(base + (slot + 1) * 900_000).toISOString(), title: `realtime ${k}` },
      });
      if (res.status !== 201) failedChanges += 1;
      changes.push({ bookingId: res.body?.id, room, sentAt, answeredAt: res.at });
    });
    // Whatever is still on its way gets a few seconds.
    const complete = () => changes.every((c) => !c.bookingId || sockets.every((_, i) => i % rooms.length !== c.room || (received[i].get(c.bookingId!)?.length ?? 0) > 0));
    const waitUntil = performance.now() + 5000;
    while (!complete() && performance.now() < waitUntil) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    const cpu = sample();

    const allSamples: number[] = [];
    const deliverySamples: number[] = [];
    const fromRequestSamples: number[] = [];
    let expectedDeliveries = 0;
    let missed = 0;
    let duplicated = 0;
    let beforeAnswer = 0;
    for (const change of changes) {
      if (!change.bookingId) continue;
      const followers = sockets.map((_, i) => i).filter((i) => i % rooms.length === change.room);
      // Every event any follower had for this booking, every follower must have once.
      const eventIds = new Set(followers.flatMap((i) => (received[i].get(change.bookingId!) ?? []).map((r) => r.eventId)));
      if (eventIds.size === 0) eventIds.add('(none arrived)');
      let last = 0;
      let lastReceipt = 0;
      let everyone = true;
      for (const i of followers) {
        const got = received[i].get(change.bookingId) ?? [];
        for (const id of eventIds) {
          expectedDeliveries += 1;
          const copies = got.filter((r) => r.eventId === id).length;
          if (copies === 0) missed += 1;
          if (copies > 1) duplicated += copies - 1;
        }
        if (got.length === 0) { everyone = false; continue; }
        const first = Math.min(...got.map((r) => r.at));
        lastReceipt = Math.max(lastReceipt, first);
        const latency = first - change.answeredAt;
        if (latency < 0) beforeAnswer += 1;
        deliverySamples.push(Math.max(0, latency));
        last = Math.max(last, Math.max(0, latency));
      }
      if (everyone) {
        allSamples.push(last);
        fromRequestSamples.push(lastReceipt - change.sentAt);
      }
    }
    const allSubscribers = summarize(allSamples);
    const fromRequest = summarize(fromRequestSamples);
    progress(`  all subscribers after the 2xx p50 ${allSubscribers.p50} ms p99 ${allSubscribers.p99} ms (${beforeAnswer} of ${deliverySamples.length} deliveries came before it); from the request p50 ${fromRequest.p50} ms p99 ${fromRequest.p99} ms; missed ${missed}, duplicated ${duplicated} of ${expectedDeliveries}`);
    return {
      clients: realtimeClients, rooms: realtimeRooms, apis: ctx.apiUrls.length, changes: realtimeChanges,
      allSubscribers, perDelivery: summarize(deliverySamples), fromRequest, allSamples, deliverySamples, fromRequestSamples,
      expectedDeliveries, missed, duplicated, beforeAnswer, failedChanges, cpu,
    };
  } finally {
    for (const s of sockets) s.disconnect();
  }
}
