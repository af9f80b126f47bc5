export { parseSearchRequest } from "./search.request";
export { searchCollection } from "./search.service";
export { MAX_K, SearchParams, type SearchQuery, type SearchResponse, type SearchResultItem } from "./search.schema";
