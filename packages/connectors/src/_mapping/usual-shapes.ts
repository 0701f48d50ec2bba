import type { FieldMapping } from './schema.js';

/**
 * Where items usually keep their fields, used for every field a mapping leaves out: a connector
 * still gets a useful record from an item it was told nothing about. A mapped field replaces its
 * default entirely.
 */
export const USUAL_SHAPES: FieldMapping = {
  text: ['text', 'body', 'message', 'content', 'data.text', 'data.body', 'data.message', 'data.content'],
  html: ['html', 'body_html', 'content_html', 'data.html'],
  title: ['title', 'subject', 'data.title', 'data.subject'],
  url: ['url', 'html_url', 'permalink', 'link', 'data.url'],
  occurredAt: ['created_at', 'createdAt', 'timestamp', 'time', 'date', 'data.created_at', 'data.createdAt', 'data.timestamp', 'data.time'],
  updatedAt: ['updated_at', 'updatedAt', 'modified_at', 'data.updated_at', 'data.updatedAt'],
  language: ['language', 'lang', 'locale'],
  tags: ['tags', 'labels'],
};

/** Where items usually keep their id. */
export const USUAL_ID_PATHS = ['id', 'uuid', 'event_id', 'eventId', 'data.id'];
