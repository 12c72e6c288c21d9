"""Nightly Meta catalog feed. The `id` column is the catalog_id stored on each order line, so
content_ids in Purchase match the catalog. Changing the id scheme breaks product sets."""
import csv


def catalog_id(product) -> str:
    return f"{product.sku}-{product.grind}-{product.size_g}g".lower()


def write_feed(products, path: str) -> None:
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "title", "price", "availability", "link", "image_link"])
        for p in products:
            w.writerow([catalog_id(p), p.title, f"{p.price:.2f} {p.currency}",
                        "in stock" if p.stock > 0 else "out of stock", p.url, p.image_url])
