import { z } from 'zod';

const isoDateTime = z.iso.datetime({ offset: true });

/** A GitHub account as embedded in issues and comments; null for some deleted accounts. */
export const GithubUserSchema = z
  .looseObject({
    id: z.number().int(),
    login: z.string(),
    avatar_url: z.string().optional(),
    html_url: z.string().optional(),
    type: z.string().optional(),
  })
  .nullish();
export type GithubUser = z.output<typeof GithubUserSchema>;

/** Labels: objects in the REST API and webhooks; plain names in some older payloads. */
const LabelsSchema = z.array(z.union([z.string(), z.looseObject({ name: z.string() })])).optional();

/** What parsing an issue needs; other fields are read leniently for metadata. */
export const GithubIssueSchema = z.looseObject({
  id: z.number().int().positive(),
  number: z.number().int().positive(),
  title: z.string(),
  body: z.string().nullish(),
  html_url: z.string(),
  created_at: isoDateTime,
  updated_at: isoDateTime.nullish(),
  user: GithubUserSchema,
  labels: LabelsSchema,
});
export type GithubIssue = z.output<typeof GithubIssueSchema>;

/** What parsing an issue comment needs. */
export const GithubIssueCommentSchema = z.looseObject({
  id: z.number().int().positive(),
  body: z.string().nullish(),
  html_url: z.string(),
  issue_url: z.string().optional(),
  created_at: isoDateTime,
  updated_at: isoDateTime.nullish(),
  user: GithubUserSchema,
});
export type GithubIssueComment = z.output<typeof GithubIssueCommentSchema>;

/** What parsing a discussion needs. */
export const GithubDiscussionSchema = z.looseObject({
  id: z.number().int().positive(),
  number: z.number().int().positive(),
  title: z.string(),
  body: z.string().nullish(),
  html_url: z.string(),
  created_at: isoDateTime,
  updated_at: isoDateTime.nullish(),
  user: GithubUserSchema,
  category: z.looseObject({ slug: z.string().optional(), name: z.string().optional() }).nullish(),
  labels: LabelsSchema,
});
export type GithubDiscussion = z.output<typeof GithubDiscussionSchema>;

/** What parsing a discussion comment needs. */
export const GithubDiscussionCommentSchema = z.looseObject({
  id: z.number().int().positive(),
  body: z.string().nullish(),
  html_url: z.string(),
  created_at: isoDateTime,
  updated_at: isoDateTime.nullish(),
  user: GithubUserSchema,
  parent_id: z.number().int().nullish(),
});
export type GithubDiscussionComment = z.output<typeof GithubDiscussionCommentSchema>;

/** The issue or discussion a comment belongs to, as webhooks embed it (only what metadata uses). */
export const GithubParentSchema = z.looseObject({ number: z.number().int().optional(), title: z.string().optional(), state: z.string().optional() });
export type GithubParent = z.output<typeof GithubParentSchema>;
