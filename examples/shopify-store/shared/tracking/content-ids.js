// content_ids must match the Catalog ids written by the Facebook & Instagram channel:
// shopify_<COUNTRY>_<product id>_<variant id>. The variant id is the identity; never use SKU.
export const CATALOG_COUNTRY = 'US';

export function contentId(variantId, productId) {
  return productId
    ? `shopify_${CATALOG_COUNTRY}_${productId}_${variantId}`
    : String(variantId);
}
