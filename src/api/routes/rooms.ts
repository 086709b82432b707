import type Router from '@koa/router';
import { AmenityRepository, type Room } from '../../db/repositories/rooms';
import { roomMailbox } from '../../domain/room-mailbox';
import { addAmenity, createRoom, deleteRoom, listRooms, readRoom, updateRoom } from '../services/room-catalog';
import { resourceRouter, type ApiContext } from '../context';
import { errorSchema, z } from '../http/openapi';
import {
  amenitySchema,
  createAmenitySchema,
  createRoomSchema,
  listRoomsQuery,
  roomIdParams,
  roomPageSchema,
  roomSchema,
  updateRoomSchema,
} from '../schemas/rooms';

/** The room catalog and the amenity vocabulary: staff manage, everybody signed in reads. */
export function roomsRouter(api: ApiContext): Router {
  const { router, route } = resourceRouter(api);
  const deps = api.deps;
  const tags = ['rooms'];
  const withMailbox = (room: Room) => ({ ...room, mailbox: roomMailbox(room.slug, deps.config.roomMail.domain) });

  route({
    method: 'get',
    path: '/rooms',
    summary: 'List rooms (filters, sorting, pagination)',
    tags,
    secured: true,
    before: [api.access.user()],
    query: listRoomsQuery,
    responses: { 200: { description: 'A page of rooms and the total matching', schema: roomPageSchema } },
    handler: async (ctx, { query }) => {
      const { sort, order, limit, offset, ...filters } = query;
      const page = await listRooms(deps, filters, sort, order, { limit, offset });
      ctx.body = { ...page, items: page.items.map(withMailbox) };
    },
  });

  route({
    method: 'post',
    path: '/rooms',
    summary: 'Create a room (policy fields default when omitted)',
    tags,
    secured: true,
    before: [api.access.staff()],
    body: createRoomSchema,
    responses: {
      201: { description: 'Created', schema: roomSchema },
      409: { description: 'The building already has a room of that name', schema: errorSchema },
    },
    handler: async (ctx, { body }) => {
      const room = await createRoom(deps, body);
      ctx.status = 201;
      ctx.set('Location', `/api/v1/rooms/${room.id}`);
      ctx.body = withMailbox(room);
    },
  });

  route({
    method: 'get',
    path: '/rooms/:id',
    summary: 'Read a room',
    tags,
    secured: true,
    before: [api.access.room()],
    params: roomIdParams,
    responses: {
      200: { description: 'The room', schema: roomSchema },
      404: { description: 'No such room', schema: errorSchema },
    },
    handler: async (ctx, { params }) => {
      ctx.body = withMailbox(await readRoom(deps, params.id));
    },
  });

  route({
    method: 'patch',
    path: '/rooms/:id',
    summary: 'Change a room; policy fields merge over the current policy',
    tags,
    secured: true,
    before: [api.access.staff()],
    params: roomIdParams,
    body: updateRoomSchema,
    responses: {
      200: { description: 'The changed room', schema: roomSchema },
      404: { description: 'No such room', schema: errorSchema },
      409: { description: 'The building already has a room of that name', schema: errorSchema },
    },
    handler: async (ctx, { params, body }) => {
      ctx.body = withMailbox(await updateRoom(deps, params.id, body));
    },
  });

  route({
    method: 'delete',
    path: '/rooms/:id',
    summary: 'Delete a room without future active bookings',
    tags,
    secured: true,
    before: [api.access.staff()],
    params: roomIdParams,
    responses: {
      204: { description: 'Deleted' },
      404: { description: 'No such room', schema: errorSchema },
      409: {
        description: 'ROOM_HAS_BOOKINGS: details.futureActiveBookings says how many; set status out_of_service instead',
        schema: errorSchema,
      },
    },
    handler: async (ctx, { params }) => {
      await deleteRoom(deps, params.id);
      ctx.status = 204;
    },
  });

  route({
    method: 'get',
    path: '/amenities',
    summary: 'The amenity vocabulary',
    tags,
    secured: true,
    before: [api.access.anyone()],
    responses: { 200: { description: 'Every amenity', schema: z.object({ items: z.array(amenitySchema) }) } },
    handler: async (ctx) => {
      ctx.body = { items: await new AmenityRepository(deps.dataSource).list() };
    },
  });

  route({
    method: 'post',
    path: '/amenities',
    summary: 'Add an amenity to the vocabulary',
    tags,
    secured: true,
    before: [api.access.staff()],
    body: createAmenitySchema,
    responses: {
      201: { description: 'Added', schema: amenitySchema },
      409: { description: 'AMENITY_EXISTS', schema: errorSchema },
    },
    handler: async (ctx, { body }) => {
      ctx.body = await addAmenity(deps, body.name, body.label);
      ctx.status = 201;
    },
  });

  return router;
}
