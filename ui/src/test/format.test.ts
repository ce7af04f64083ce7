import { describe, expect, it } from "vitest";
import { cardReducer, initialCard } from "../cardState";
import { dmy, validCan } from "../format";
import { identification } from "./fixtures";

describe("format", () => {
  it("writes dates the Vietnamese way", () => {
    expect(dmy("2001-11-03")).toBe("03/11/2001");
    expect(dmy(null)).toBe("");
  });
  it("accepts exactly six digits as a CAN", () => {
    expect(validCan("123456")).toBe(true);
    for (const bad of ["12345", "1234567", "12345a", " 123456", "", "１２３４５６"]) expect(validCan(bad)).toBe(false);
  });
});

describe("card state", () => {
  const r = "R";
  it("clears the previous citizen when a new card is put down", () => {
    let s = cardReducer(initialCard, { type: "event", event: { kind: "reader_added", reader: { name: r, card_present: false, simulated: false } } });
    s = cardReducer(s, { type: "event", event: { kind: "identified", identification: identification(), received_at_ms: 0 } });
    expect(s.result?.citizen.id_number).toBe("099190000001");
    s = cardReducer(s, { type: "event", event: { kind: "card_present", reader: r } });
    expect(s.result).toBeNull();
    expect(s.readers[0].card_present).toBe(true);
  });
  it("keeps the CAN field open after a wrong CAN", () => {
    let s = cardReducer(initialCard, { type: "event", event: { kind: "can_required", reader: r } });
    s = cardReducer(s, { type: "event", event: { kind: "failed", reader: r, code: "access_denied", message: "x" } });
    expect(s.canFor).toBe(r);
    expect(s.error?.code).toBe("access_denied");
    s = cardReducer(s, { type: "event", event: { kind: "card_absent", reader: r } });
    expect(s.canFor).toBeNull();
  });
});
