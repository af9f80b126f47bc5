/**
 * The OpenAPI 3.1 description of every route under app/api, served at GET /api/openapi.json.
 *
 * Request bodies and query strings come from the zod schemas the routes parse with (z.toJSONSchema,
 * JSON Schema 2020-12 as OpenAPI 3.1 uses), so the document cannot say one thing while the code checks
 * another. Responses are described by hand from the TypeScript types in lib/ (they are not validated at
 * run time). tests/integration/openapi.test.ts validates the document and checks that it lists exactly
 * the route handlers in app/api.
 */
import { z } from "zod";
import { CreateCollection, UpdateCollection } from "@/lib/collections/collections.service";
import { MemberPage, RenameCluster } from "@/lib/clusters/clusters.query";
import { ListImagesQuery } from "@/lib/images/browse";
import { StartTrainingBody } from "@/lib/jobs/training.service";
import { trainingSettingsSchema } from "@/lib/jobs/settings";
import { SearchParams } from "@/lib/search/search.schema";
import { ClusterScaleQuery, LoginBody } from "./schemas";

type Json = Record<string, unknown>;

/** A zod schema as an OpenAPI 3.1 schema object (what a client sends: defaults are optional). */
export function jsonSchemaOf(schema: z.ZodType): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Json;
  return rest;
}

/** One query parameter per property of a zod object schema. */
function queryParameters(schema: z.ZodType): Json[] {
  const { properties = {}, required = [] } = jsonSchemaOf(schema) as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(properties).map(([name, s]) => ({ name, in: "query", required: required.includes(name), schema: s }));
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json) => ({ "application/json": { schema } });
const nullable = (type: string, extra: Json = {}) => ({ type: [type, "null"], ...extra });
const int = { type: "integer" };
const num = { type: "number" };
const str = { type: "string" };
const bool = { type: "boolean" };
const dateTime = { type: "string", format: "date-time" };
const obj = (properties: Record<string, Json>, required = Object.keys(properties)): Json => ({ type: "object", properties, required });
const arrayOf = (items: Json) => ({ type: "array", items });

const idParam = (what: string) => ({ name: "id", in: "path", required: true, description: `the ${what} id`, schema: { type: "integer", minimum: 1 } });

const ERROR_TEXT: Record<number, string> = {
  400: "the request is malformed",
  401: "LA_AUTH_TOKEN is set and the request has neither a valid session cookie nor `Authorization: Bearer <token>`",
  403: "a cross-site state change (its Origin or Referer names another site), or a cookie-authorised change without an Origin",
  404: "no such resource",
  409: "the resource is not in a state that allows this (for example no trained model yet, or a training chain already running)",
  413: "larger than a configured limit (LA_MAX_FILE_BYTES, LA_MAX_REQUEST_BYTES, LA_MAX_PIXELS, LA_MAX_ZIP_ENTRIES, LA_MAX_ZIP_BYTES)",
  415: "the content type or the file's content is not one this route accepts",
  422: "a parameter or the body is invalid; `error` names each bad field",
  500: "an unexpected server error (logged; the answer has no details)",
};

/** The components.responses entry of an error status. */
const errorRef = (status: number) => ({ $ref: `#/components/responses/Error${status}` });

const components = {
  securitySchemes: {
    bearerAuth: { type: "http", scheme: "bearer", description: "`Authorization: Bearer <LA_AUTH_TOKEN>`" },
    sessionCookie: { type: "apiKey", in: "cookie", name: "la_session", description: "the session cookie set by POST /api/auth/login" },
  },
  responses: Object.fromEntries(
    Object.entries(ERROR_TEXT).map(([status, description]) => [`Error${status}`, { description, content: json(ref("Error")) }]),
  ),
  schemas: {
    Error: {
      type: "object",
      description: "Every error answer (lib/http.ts). Upload answers that stored nothing also carry the upload summary.",
      properties: {
        error: { type: "string", description: "what was wrong, for a person" },
        details: { description: "zod issues ({ path, message }) or other details, when there are any" },
      },
      required: ["error"],
      additionalProperties: true,
    },
    Collection: obj({
      id: int, name: str, settings: { type: "object", additionalProperties: true }, imageCount: int,
      activeModelId: nullable("integer"), createdAt: dateTime,
    }),
    CollectionDetail: {
      allOf: [ref("Collection"), obj({ labels: arrayOf(obj({ label: str, count: int })) })],
    },
    Image: obj({
      id: int, collectionId: int, name: str, label: nullable("string"), mimeType: str, width: int, height: int, byteSize: int,
      contentHash: str, takenAt: nullable("string", { format: "date-time" }), camera: nullable("string"), createdAt: dateTime,
      thumbUrl: str, originalUrl: str,
    }),
    ImageList: obj({ images: arrayOf(ref("Image")), nextCursor: nullable("integer") }),
    FileOutcome: {
      oneOf: [
        obj({ file: str, outcome: { const: "stored" }, imageId: int }),
        obj({ file: str, outcome: { const: "duplicate" }, imageId: int }),
        obj({ file: str, outcome: { const: "rejected" }, status: int, reason: str }),
      ],
    },
    UploadSummary: obj({ stored: int, duplicates: int, rejected: int, files: arrayOf(ref("FileOutcome")) }),
    UploadRejected: { allOf: [ref("UploadSummary"), obj({ error: { type: "string", description: "\"nothing was stored: \" and the first reason" } })] },
    SearchParams: jsonSchemaOf(SearchParams),
    SearchResponse: obj({
      collectionId: int,
      modelId: { type: "integer", description: "the model that answered (the collection's active model)" },
      query: { oneOf: [obj({ imageId: int }), obj({ upload: { const: true } })] },
      k: int, minScore: nullable("number"), clusterId: nullable("integer"),
      results: arrayOf(obj({
        imageId: int, score: { type: "number", minimum: -1, maximum: 1, description: "cosine similarity" }, thumbnailUrl: str,
        clusters: arrayOf(obj({ clusterId: int, scale: str, index: int, name: nullable("string"), weight: num })),
      })),
      timings: obj({ embedMs: nullable("number"), searchMs: num }),
    }),
    TrainingSettings: jsonSchemaOf(trainingSettingsSchema),
    TrainingSettingsView: obj({
      collectionId: int, imageCount: int, settings: ref("TrainingSettings"),
      resolved: { type: ["object", "null"], description: "the LA config a training would use now (null while the collection is too small)" },
      presets: arrayOf(obj({ name: str, epochs: int, expectedSeconds: num, imgPerSec: num, basis: { enum: ["measured", "reference"] } })),
      defaultPreset: str,
    }),
    StartTraining: jsonSchemaOf(StartTrainingBody),
    Job: obj({
      id: int, type: str, status: { enum: ["queued", "running", "succeeded", "failed", "cancelled"] }, collectionId: nullable("integer"),
      modelId: nullable("integer"), dependsOnId: nullable("integer"), attempts: int, maxAttempts: int, cancelRequested: bool,
      phase: nullable("string"), epoch: nullable("integer"), epochs: nullable("integer"), step: nullable("integer"), steps: nullable("integer"),
      loss: nullable("number"), imgPerSec: nullable("number"), etaSeconds: nullable("number"), resumedFromEpoch: nullable("integer"),
      leaseOwner: nullable("string"), result: {}, error: nullable("string"), createdAt: dateTime,
      startedAt: nullable("string", { format: "date-time" }), finishedAt: nullable("string", { format: "date-time" }), updatedAt: dateTime,
    }),
    StartedChain: obj({ modelId: int, preset: nullable("string"), jobs: arrayOf(ref("Job")) }),
    MetricPoint: obj({ id: int, epoch: int, step: int, loss: num, imgPerSec: nullable("number"), t: dateTime }),
    Model: obj({
      id: int, collectionId: int, parentId: nullable("integer"), status: { enum: ["training", "indexing", "ready", "failed", "cancelled"] },
      active: bool, imageCount: int, config: { type: "object", additionalProperties: true }, metrics: { type: "object", additionalProperties: true },
      createdAt: dateTime, updatedAt: dateTime,
    }),
    ModelHistory: obj({
      collectionId: int, activeModelId: nullable("integer"), imageCount: int, newImagesSinceActive: int, finetuneOffered: bool,
      models: arrayOf(ref("Model")),
    }),
    ClusterCard: obj({ id: int, index: int, size: int, name: nullable("string"), stability: nullable("number"), representativeIds: arrayOf(int) }),
    Scale: obj({ clusteringId: int, scale: str, m: int, metrics: { type: "object", additionalProperties: true } }),
    ClusterOverview: obj({
      collection: obj({ id: int, name: str }), modelId: int, scales: arrayOf(ref("Scale")), scale: ref("Scale"), clusters: arrayOf(ref("ClusterCard")),
    }),
    ClusterDetail: obj({
      cluster: { allOf: [ref("ClusterCard"), obj({ scale: str, clusteringId: int, modelId: int, collectionId: int, active: bool })] },
      members: arrayOf(obj({ imageId: int, similarity: num, weight: num })),
      offset: int,
      partial: arrayOf(obj({ imageId: int, weight: num, rank: int })),
      neighbours: arrayOf({ allOf: [ref("ClusterCard"), obj({ similarity: num })] }),
    }),
    Health: {
      type: "object",
      properties: {
        status: { enum: ["ok", "degraded"] },
        ...Object.fromEntries(["database", "migrations", "faiss", "tfjs", "dataDir", "worker"].map((k) => [k, ref("Check")])),
      },
      required: ["status", "database", "migrations", "faiss", "tfjs", "dataDir", "worker"],
    },
    Check: { type: "object", properties: { ok: bool, detail: str }, required: ["ok"], additionalProperties: true },
  },
};

type Method = "get" | "post" | "put" | "patch" | "delete";

interface Operation {
  summary: string;
  tag: string;
  description?: string;
  /** The path's {id} names a ... (collection, image, job, cluster). */
  id?: string;
  query?: Json[];
  body?: { required?: boolean; content: Json; description?: string };
  responses: Record<string, Json>;
  /** Error statuses besides 401 (every secured operation) and 403 (every secured state change). */
  errors?: number[];
  /** Reachable without a session (the login). */
  public?: boolean;
}

const routes: Record<string, Partial<Record<Method, Operation>>> = {
  "/api/auth/login": {
    post: {
      tag: "auth", summary: "Exchange LA_AUTH_TOKEN for a session cookie", public: true,
      description: "A JSON client gets 204 with Set-Cookie; an HTML form gets a 303 to `next` (or back to the login form on a wrong token).",
      body: { required: true, content: { ...json(jsonSchemaOf(LoginBody)), "application/x-www-form-urlencoded": { schema: jsonSchemaOf(LoginBody) } } },
      responses: {
        204: { description: "logged in; the session cookie is in Set-Cookie", headers: { "Set-Cookie": { schema: str } } },
        303: { description: "form login: to `next` when the token was right, back to /login?error=1 when not" },
        401: { description: "wrong token (JSON login)", content: json(ref("Error")) },
        403: errorRef(403),
        404: { description: "access control is off (LA_AUTH_TOKEN is not set)", content: json(ref("Error")) },
      },
      errors: [422],
    },
  },
  "/api/auth/logout": {
    post: { tag: "auth", summary: "Clear the session cookie", responses: { 303: { description: "the cookie is cleared; to /login" } } },
  },
  "/api/health": {
    get: {
      tag: "service", summary: "Database, migrations, FAISS, TF.js backend, data directory and worker heartbeat",
      responses: { 200: { description: "everything is ok", content: json(ref("Health")) }, 503: { description: "something is degraded", content: json(ref("Health")) } },
    },
  },
  "/api/openapi.json": {
    get: { tag: "service", summary: "This document", responses: { 200: { description: "the OpenAPI 3.1 document", content: json({ type: "object" }) } } },
  },
  "/api/collections": {
    get: { tag: "collections", summary: "List collections", responses: { 200: { description: "every collection", content: json(obj({ collections: arrayOf(ref("Collection")) })) } } },
    post: {
      tag: "collections", summary: "Create a collection", body: { required: true, content: json(jsonSchemaOf(CreateCollection)) },
      responses: { 201: { description: "created", content: json(ref("Collection")) } }, errors: [409, 422],
    },
  },
  "/api/collections/{id}": {
    get: { tag: "collections", id: "collection", summary: "A collection with its label counts", responses: { 200: { description: "the collection", content: json(ref("CollectionDetail")) } }, errors: [404, 422] },
    patch: {
      tag: "collections", id: "collection", summary: "Rename a collection", body: { required: true, content: json(jsonSchemaOf(UpdateCollection)) },
      responses: { 200: { description: "renamed", content: json(ref("Collection")) } }, errors: [404, 409, 422],
    },
    delete: { tag: "collections", id: "collection", summary: "Delete a collection, its images, models and files", responses: { 204: { description: "deleted" } }, errors: [404, 422] },
  },
  "/api/collections/{id}/images": {
    get: {
      tag: "images", id: "collection", summary: "A page of the collection's images in id order", query: queryParameters(ListImagesQuery),
      responses: { 200: { description: "one page and the next page's cursor", content: json(ref("ImageList")) } }, errors: [404, 422],
    },
    post: {
      tag: "images", id: "collection", summary: "Upload images and zip archives",
      description:
        "Any number of `files` parts, each an image (typed from its bytes, not its name) or a zip archive (unpacked entry by entry; " +
        "nested archives, unsafe paths and symbolic links are refused). Every file gets an outcome. 200 when anything was stored or " +
        "linked as a duplicate; otherwise the rejections' common status (422 when they differ) with the same summary and an `error`.",
      body: {
        required: true,
        content: {
          "multipart/form-data": {
            schema: {
              type: "object",
              properties: {
                labelsFromFolders: { type: "string", enum: ["true", "false"], description: "send before the files: each file's parent folder becomes its label" },
                files: arrayOf({ type: "string", contentMediaType: "application/octet-stream", description: "an image (JPEG, PNG, WebP, GIF, AVIF, TIFF) or a .zip" }),
              },
              required: ["files"],
            },
            encoding: { files: { contentType: "image/*, application/zip, application/octet-stream" } },
          },
        },
      },
      responses: {
        200: { description: "one outcome per file (zip entries as `archive.zip/path`)", content: json(ref("UploadSummary")) },
        413: { description: "the request, a file, an image's pixels or a zip is over a limit", content: json({ anyOf: [ref("UploadRejected"), ref("Error")] }) },
        415: { description: "not multipart/form-data, or no file is an image", content: json({ anyOf: [ref("UploadRejected"), ref("Error")] }) },
        422: { description: "no file part, an unreadable body, or files that are empty, corrupt or unsafe", content: json({ anyOf: [ref("UploadRejected"), ref("Error")] }) },
      },
      errors: [404],
    },
  },
  "/api/collections/{id}/search": {
    post: {
      tag: "search", id: "collection", summary: "Find visually similar images",
      description:
        "By an uploaded image (multipart `image`, or a raw image body; embedded by the active model, never stored) or by an image of " +
        "the collection (`imageId`: its stored vector). Parameters may also be in the query string.",
      query: queryParameters(SearchParams),
      body: {
        content: {
          "multipart/form-data": {
            schema: { type: "object", properties: { image: { type: "string", contentMediaType: "application/octet-stream" }, ...(jsonSchemaOf(SearchParams).properties as Json) } },
          },
          ...json(ref("SearchParams")),
          "image/*": { schema: { type: "string", contentMediaType: "image/*" } },
          "application/octet-stream": { schema: { type: "string", contentMediaType: "application/octet-stream" } },
        },
      },
      responses: { 200: { description: "results, best first", content: json(ref("SearchResponse")) } },
      errors: [404, 409, 413, 415, 422],
    },
  },
  "/api/collections/{id}/settings": {
    get: { tag: "training", id: "collection", summary: "Training settings, the resolved config and the presets", responses: { 200: { description: "settings", content: json(ref("TrainingSettingsView")) } }, errors: [404, 422] },
    put: {
      tag: "training", id: "collection", summary: "Merge training settings (validated against the collection's size)", body: { required: true, content: json(ref("TrainingSettings")) },
      responses: { 200: { description: "the new settings", content: json(ref("TrainingSettingsView")) } }, errors: [404, 422],
    },
  },
  "/api/collections/{id}/train": {
    post: {
      tag: "training", id: "collection", summary: "Queue train (or finetune) -> index -> cluster with a new model", body: { content: json(ref("StartTraining")) },
      responses: { 202: { description: "queued", content: json(ref("StartedChain")) } }, errors: [404, 409, 422],
    },
  },
  "/api/collections/{id}/jobs": {
    get: { tag: "jobs", id: "collection", summary: "The collection's jobs", responses: { 200: { description: "jobs, newest first", content: json(obj({ jobs: arrayOf(ref("Job")) })) } }, errors: [422] },
  },
  "/api/collections/{id}/models": {
    get: { tag: "training", id: "collection", summary: "The collection's models and whether a fine-tune is offered", responses: { 200: { description: "models, newest first", content: json(ref("ModelHistory")) } }, errors: [404, 422] },
  },
  "/api/collections/{id}/clusters": {
    get: {
      tag: "clusters", id: "collection", summary: "The active model's scales and the clusters of one scale", query: queryParameters(ClusterScaleQuery),
      responses: { 200: { description: "clusters, largest first", content: json(ref("ClusterOverview")) } }, errors: [404, 409, 422],
    },
  },
  "/api/collections/{id}/clusters/map": {
    get: {
      tag: "clusters", id: "collection", summary: "The active model's 2-D map (binary, lib/clusters/map-format.ts)",
      responses: {
        200: {
          description: "\"LAM1\", n, a JSON header, image ids, x/y in [0,1], cluster index per scale",
          headers: { "X-Model-Id": { schema: int } },
          content: { "application/octet-stream": { schema: { type: "string", contentMediaType: "application/octet-stream" } } },
        },
      },
      errors: [404, 409, 422],
    },
  },
  "/api/clusters/{id}": {
    get: {
      tag: "clusters", id: "cluster", summary: "A cluster, a page of its members, its partial members and neighbours", query: queryParameters(MemberPage),
      responses: { 200: { description: "the cluster", content: json(ref("ClusterDetail")) } }, errors: [404, 422],
    },
    patch: {
      tag: "clusters", id: "cluster", summary: "Rename a cluster (empty or null clears the name)", body: { required: true, content: json(jsonSchemaOf(RenameCluster)) },
      responses: { 200: { description: "renamed", content: json(ref("ClusterCard")) } }, errors: [404, 422],
    },
  },
  "/api/images/{id}/original": {
    get: {
      tag: "images", id: "image", summary: "The original bytes (immutable; ETag is the content hash)",
      responses: { 200: { description: "the original", content: { "image/*": { schema: { type: "string", contentMediaType: "image/*" } } } }, 304: { description: "not modified (If-None-Match)" } },
      errors: [404, 422],
    },
  },
  "/api/images/{id}/thumb": {
    get: {
      tag: "images", id: "image", summary: "The ~256 px WebP thumbnail (immutable)",
      responses: { 200: { description: "the thumbnail", content: { "image/webp": { schema: { type: "string", contentMediaType: "image/webp" } } } }, 304: { description: "not modified (If-None-Match)" } },
      errors: [404, 422],
    },
  },
  "/api/jobs/{id}": {
    get: { tag: "jobs", id: "job", summary: "A job and its progress", responses: { 200: { description: "the job", content: json(ref("Job")) } }, errors: [404, 422] },
  },
  "/api/jobs/{id}/cancel": {
    post: {
      tag: "jobs", id: "job", summary: "Cancel a job (a running one stops at its next step)",
      responses: { 200: { description: "cancelled (or already finished)", content: json(ref("Job")) }, 202: { description: "still running; it stops at its next step", content: json(ref("Job")) } },
      errors: [404, 422],
    },
  },
  "/api/jobs/{id}/events": {
    get: {
      tag: "jobs", id: "job", summary: "Server-sent events: `job` (the job), `metrics` (new loss points), a final `end`",
      responses: { 200: { description: "an event stream", content: { "text/event-stream": { schema: str } } } }, errors: [404, 422],
    },
  },
  "/api/jobs/{id}/metrics": {
    get: {
      tag: "jobs", id: "job", summary: "The job's loss-curve points",
      query: [{ name: "after", in: "query", required: false, description: "only points with a larger id", schema: { type: "integer", minimum: 0 } }],
      responses: { 200: { description: "points in order", content: json(obj({ points: arrayOf(ref("MetricPoint")) })) } }, errors: [404, 422],
    },
  },
};

const STATE_CHANGING = new Set<Method>(["post", "put", "patch", "delete"]);

function toOperation(method: Method, path: string, o: Operation): Json {
  const errors = new Set(o.errors ?? []);
  if (!o.public) errors.add(401);
  if (!o.public && STATE_CHANGING.has(method)) errors.add(403);
  const responses: Record<string, Json> = { ...o.responses };
  for (const status of [...errors].sort()) responses[status] ??= errorRef(status);
  return {
    operationId: `${method}${path.replace(/^\/api/, "").replace(/\{(\w+)\}/g, "By-$1").split(/[/.-]/).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("")}`,
    summary: o.summary,
    ...(o.description ? { description: o.description } : {}),
    tags: [o.tag],
    ...(o.id || o.query ? { parameters: [...(o.id ? [idParam(o.id)] : []), ...(o.query ?? [])] } : {}),
    ...(o.body ? { requestBody: { required: o.body.required ?? false, content: o.body.content } } : {}),
    responses,
    ...(o.public ? { security: [] } : {}),
  };
}

let cached: Json | undefined;

/** The document (built once per process). */
export function openApiDocument(): Json {
  return (cached ??= {
    openapi: "3.1.0",
    info: {
      title: "LA Search API",
      version: "1",
      description:
        "Visual search that learns from your photos. With LA_AUTH_TOKEN set, every route except the login needs the session cookie " +
        "or `Authorization: Bearer <LA_AUTH_TOKEN>` (else 401); without it the service serves 127.0.0.1 without a login. A browser's " +
        "cross-site state change is refused (403) either way. Errors are JSON `{ error, details? }`.",
    },
    servers: [{ url: "/" }],
    security: [{ bearerAuth: [] }, { sessionCookie: [] }],
    tags: ["auth", "service", "collections", "images", "search", "training", "jobs", "clusters"].map((name) => ({ name })),
    paths: Object.fromEntries(
      Object.entries(routes).map(([path, methods]) => [
        path,
        Object.fromEntries(Object.entries(methods).map(([m, o]) => [m, toOperation(m as Method, path, o as Operation)])),
      ]),
    ),
    components,
  });
}
