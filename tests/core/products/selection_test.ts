import { equal } from "node:assert/strict";
import { bulkActionDone, describeSelection } from "../../../core/products/mod.ts";

Deno.test("a selection in words names its ids (the first ten) or its filters", () => {
  equal(describeSelection({ ids: [3, 1, 2] }), "products with ids 3, 1, 2");
  equal(
    describeSelection({ ids: Array.from({ length: 12 }, (_, i) => i + 1) }),
    "products with ids 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, … (12 ids)",
  );
  equal(
    describeSelection({ filters: { search: "red", active: false, priceMin: 2, priceMax: 9.5 } }),
    'products matching search "red", inactive, price from 2, price to 9.5',
  );
  equal(describeSelection({ filters: {} }), "every product");
});

Deno.test("a finished bulk action says what it did to how many, in the singular for one", () => {
  equal(bulkActionDone("deactivate", 1), "Deactivated 1 product");
  equal(bulkActionDone("delete", 12_345), "Deleted 12,345 products");
  equal(bulkActionDone("activate", 0), "Activated 0 products");
});
