#!/usr/bin/env python3
"""Generates the synthetic CarTCds patients (FHIR R4 transaction Bundles) and expectations.json.

Run from anywhere:  python3 profiles/examples/generate.py
The JSON files next to this script are exactly what it writes (deterministic: no clock, no
randomness beyond a fixed hash of each resource id). Edit the storylines here, never the JSON.

Conventions (see README.md):
  * Every resource has a stable id `<stem>-...` and is written with PUT <Type>/<id>.
  * Post-infusion days: day 0 = infusion day; readings at 02, 06, 10, 14, 18, 22 h UTC
    (quiet days: 02, 10, 14, 22); neuro assessments (ICE / CAPD / consciousness) at 10 and 22 h.
  * Nothing is ever recorded at hh:00 of 12 or 23 h, the evaluation instants used by
    expectations.json, so a 24 h window (now - 24 h, now] never has a reading on its edge.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ICDO3 = "http://terminology.hl7.org/CodeSystem/icd-o-3"
NDC = "http://hl7.org/fhir/sid/ndc"
CARTCDS = "http://cartcds.org/fhir/CodeSystem/cartcds"
UCUM = "http://unitsofmeasure.org"
OBS_CAT = "http://terminology.hl7.org/CodeSystem/observation-category"
COND_CLIN = "http://terminology.hl7.org/CodeSystem/condition-clinical"
COND_VER = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
COND_CAT = "http://terminology.hl7.org/CodeSystem/condition-category"
MRN_SYSTEM = "http://cartcds.org/fhir/sid/synthetic-mrn"
ROUTE_IV = {"coding": [{"system": SNOMED, "code": "47625008", "display": "Intravenous route"}], "text": "IV"}
ROUTE_PO = {"coding": [{"system": SNOMED, "code": "26643006", "display": "Oral route"}], "text": "PO"}

CARTCDS_DISPLAY = {
    "car-t-infusion": "CAR T-cell infusion",
    "allogeneic-hsct": "Allogeneic hematopoietic stem cell transplantation",
    "oxygen-delivery": "Oxygen delivery method",
    "room-air": "Room air",
    "nasal-cannula": "Nasal cannula",
    "high-flow-nasal-cannula": "High-flow nasal cannula",
    "face-mask": "Face mask",
    "bipap": "Bilevel positive airway pressure (BiPAP)",
    "hypotension": "Hypotension treated with fluids",
    "ice-score": "Immune effector Cell-associated Encephalopathy (ICE) score",
    "capd-score": "Cornell Assessment of Pediatric Delirium (CAPD) score",
    "consciousness": "Level of consciousness",
    "alert": "Alert",
    "awakens-spontaneously": "Awakens spontaneously",
    "awakens-to-voice": "Awakens to voice",
    "awakens-to-touch": "Awakens only to tactile stimulus",
    "seizure": "Seizure",
    "rapidly-resolving": "Clinical seizure resolving rapidly",
    "disease-status": "Leukemia disease status",
    "relapse": "Relapse",
    "primary-refractory": "Primary refractory disease",
    "refractory-relapse": "Chemo-refractory relapse",
    "remission": "Remission",
    "mrd-positive": "Minimal residual disease positive",
    "cd19-expression": "CD19 expression on leukemic blasts",
    "positive": "Positive",
    "negative": "Negative",
    "marrow-blasts": "Bone marrow blasts",
    "cns-status": "CNS status",
    "cns1": "CNS1",
    "cns2": "CNS2",
    "cns3": "CNS3",
    "lansky": "Lansky play-performance scale",
}

LOINC_DISPLAY = {
    "8310-5": "Body temperature",
    "85354-9": "Blood pressure panel with all children optional",
    "8480-6": "Systolic blood pressure",
    "8462-4": "Diastolic blood pressure",
    "59408-5": "Oxygen saturation in Arterial blood by Pulse oximetry",
    "2708-6": "Oxygen saturation in Arterial blood",
    "3151-8": "Inhaled oxygen flow rate",
    "3150-0": "Inhaled oxygen concentration",
    "29463-7": "Body weight",
    "2276-4": "Ferritin [Mass/volume] in Serum or Plasma",
    "1988-5": "C reactive protein [Mass/volume] in Serum or Plasma",
    "3255-7": "Fibrinogen [Mass/volume] in Platelet poor plasma by Coagulation assay",
    "1920-8": "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma",
    "1742-6": "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma",
    "1975-2": "Bilirubin.total [Mass/volume] in Serum or Plasma",
    "2160-0": "Creatinine [Mass/volume] in Serum or Plasma",
    "2532-0": "Lactate dehydrogenase [Enzymatic activity/volume] in Serum or Plasma",
    "2465-3": "IgG [Mass/volume] in Serum",
    "8117-4": "CD19 cells/100 cells in Blood",
    "777-3": "Platelets [#/volume] in Blood by Automated count",
    "751-8": "Neutrophils [#/volume] in Blood by Automated count",
    "89243-0": "Karnofsky Performance Status score",
}

# lab key -> (LOINC, UCUM code, human unit, reference low, reference high)
LABS = {
    "ferritin": ("2276-4", "ng/mL", "ng/mL", 10, 300),
    "crp": ("1988-5", "mg/L", "mg/L", None, 5),
    "fibrinogen": ("3255-7", "mg/dL", "mg/dL", 200, 400),
    "ast": ("1920-8", "U/L", "U/L", None, 40),
    "alt": ("1742-6", "U/L", "U/L", None, 40),
    "bilirubin": ("1975-2", "mg/dL", "mg/dL", None, 1.2),
    "creatinine": ("2160-0", "mg/dL", "mg/dL", 0.3, 0.8),
    "ldh": ("2532-0", "U/L", "U/L", None, 300),
    "igg": ("2465-3", "mg/dL", "mg/dL", 600, 1500),
    "cd19pct": ("8117-4", "%", "%", None, None),
    "platelets": ("777-3", "10*9/L", "10^9/L", 150, 400),
    "neutrophils": ("751-8", "10*9/L", "10^9/L", 1.5, 8.0),
}

RX = {
    "tisagenlecleucel": None,  # NDC, handled separately
    "norepinephrine": ("7512", "norepinephrine"),
    "tocilizumab": ("612865", "tocilizumab"),
    "methylprednisolone": ("6902", "methylprednisolone"),
    "dexamethasone": ("3264", "dexamethasone"),
    "acetaminophen": ("161", "acetaminophen"),
    "levetiracetam": ("114477", "levetiracetam"),
}

SLOTS_FULL = (2, 6, 10, 14, 18, 22)
SLOTS_QUIET = (2, 10, 14, 22)
NEURO_SLOTS = (10, 22)


def stable(key: str, n: int) -> int:
    """A deterministic pseudo-random integer in [0, n) from a string."""
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % n


def iso(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def daytag(day: int) -> str:
    return f"d{day}" if day >= 0 else f"dm{-day}"


def cc(system: str, code: str, display: str, text: str | None = None) -> dict:
    c = {"coding": [{"system": system, "code": code, "display": display}]}
    if text:
        c["text"] = text
    return c


def cart(code: str) -> dict:
    return cc(CARTCDS, code, CARTCDS_DISPLAY[code])


def loinc(code: str) -> dict:
    return cc(LOINC, code, LOINC_DISPLAY[code])


def qty(value, ucum: str, unit: str | None = None) -> dict:
    return {"value": value, "unit": unit or ucum, "system": UCUM, "code": ucum}


def category(code: str) -> list:
    displays = {"vital-signs": "Vital Signs", "laboratory": "Laboratory", "exam": "Exam",
                "survey": "Survey", "therapy": "Therapy"}
    return [cc(OBS_CAT, code, displays[code])]


class Journey:
    """Builds one patient's Bundle."""

    def __init__(self, pid: str, stem: str, birth: str, gender: str, name: str,
                 mrn: str, day0: str | None = None, infusion_hour: int = 10):
        self.pid = pid
        self.stem = stem
        self.birth = dt.date.fromisoformat(birth)
        self.entries: list[dict] = []
        self.ids: set[str] = set()
        self.day0 = dt.datetime.fromisoformat(day0 + "T00:00:00+00:00") if day0 else None
        self.infusion_hour = infusion_hour
        self.add({
            "resourceType": "Patient", "id": pid,
            "identifier": [{"system": MRN_SYSTEM, "value": mrn}],
            "active": True,
            "name": [{"use": "official", "family": name, "given": ["Synthetic"],
                      "text": f"Synthetic {name}"}],
            "gender": gender,
            "birthDate": birth,
        }, with_subject=False)

    # ----- plumbing -------------------------------------------------------------------------
    @property
    def subject(self) -> dict:
        return {"reference": f"Patient/{self.pid}"}

    def add(self, res: dict, with_subject: bool = True) -> dict:
        rid = res["id"]
        assert rid not in self.ids, rid
        assert len(rid) <= 64 and all(ch in "abcdefghijklmnopqrstuvwxyz0123456789-" for ch in rid), rid
        self.ids.add(rid)
        if with_subject:
            # put subject right after code for readability
            ordered = {}
            for k, v in res.items():
                ordered[k] = v
                if k == "code" or k == "medicationCodeableConcept":
                    ordered["subject"] = self.subject
            if "subject" not in ordered:
                ordered["subject"] = self.subject
            res = ordered
        self.entries.append({"resource": res,
                             "request": {"method": "PUT", "url": f"{res['resourceType']}/{rid}"}})
        return res

    def at(self, day: int, hour: int, minute: int = 0) -> dt.datetime:
        return self.day0 + dt.timedelta(days=day, hours=hour, minutes=minute)

    def rid(self, kind: str, day: int, hour: int, minute: int = 0) -> str:
        return f"{self.stem}-{kind}-{daytag(day)}-{hour:02d}{minute:02d}"

    def age_years(self, on: dt.date) -> int:
        years = on.year - self.birth.year
        if (on.month, on.day) < (self.birth.month, self.birth.day):
            years -= 1
        return years

    # ----- generic observations -------------------------------------------------------------
    def obs(self, rid: str, code: dict, when: str, cat: str, **value) -> dict:
        res = {"resourceType": "Observation", "id": rid, "status": "final",
               "category": category(cat), "code": code, "effectiveDateTime": when}
        res.update(value)
        return self.add(res)

    # ----- history (absolute dates) ---------------------------------------------------------
    def condition(self, rid: str, code: dict, onset: str, note: str | None = None,
                  clinical: str = "active") -> None:
        res = {"resourceType": "Condition", "id": f"{self.stem}-{rid}",
               "clinicalStatus": cc(COND_CLIN, clinical, clinical.capitalize()),
               "verificationStatus": cc(COND_VER, "confirmed", "Confirmed"),
               "category": [cc(COND_CAT, "problem-list-item", "Problem List Item")],
               "code": code, "onsetDateTime": onset}
        if note:
            res["note"] = [{"text": note}]
        self.add(res)

    def b_all(self, onset: str, note: str | None = None) -> None:
        code = {"coding": [
            {"system": SNOMED, "code": "277571004", "display": "B-cell acute lymphoblastic leukemia (disorder)"},
            {"system": ICD10CM, "code": "C91.00",
             "display": "Acute lymphoblastic leukemia not having achieved remission"}],
            "text": "B-cell acute lymphoblastic leukemia"}
        self.condition("dx-ball", code, onset, note)

    def status(self, when: str, value: str, note: str | None = None) -> None:
        rid = f"{self.stem}-status-{value}-{when[:10]}"
        extra = {"note": [{"text": note}]} if note else {}
        self.obs(rid, cart("disease-status"), when, "exam", valueCodeableConcept=cart(value), **extra)

    def blasts(self, when: str, pct, method: str = "Morphology, bone marrow aspirate") -> None:
        self.obs(f"{self.stem}-marrow-blasts-{when[:10]}", cart("marrow-blasts"), when, "laboratory",
                 valueQuantity=qty(pct, "%"), method={"text": method})

    def cd19(self, when: str, value: str = "positive") -> None:
        self.obs(f"{self.stem}-cd19-{when[:10]}", cart("cd19-expression"), when, "laboratory",
                 valueCodeableConcept=cart(value), method={"text": "Flow cytometry, bone marrow"})

    def cns(self, when: str, value: str) -> None:
        self.obs(f"{self.stem}-cns-{when[:10]}", cart("cns-status"), when, "exam",
                 valueCodeableConcept=cart(value))

    def performance(self, when: str, score: int) -> None:
        on = dt.date.fromisoformat(when[:10])
        if self.age_years(on) >= 16:
            self.obs(f"{self.stem}-karnofsky-{when[:10]}", loinc("89243-0"), when, "survey", valueInteger=score)
        else:
            self.obs(f"{self.stem}-lansky-{when[:10]}", cart("lansky"), when, "survey", valueInteger=score)

    def hsct(self, when: str, note: str, snomed_too: bool = False) -> None:
        code = cart("allogeneic-hsct")
        if snomed_too:
            code = {"coding": code["coding"] + [
                {"system": SNOMED, "code": "234336002", "display": "Hemopoietic stem cell transplant"}]}
        self.add({"resourceType": "Procedure", "id": f"{self.stem}-allo-hsct-{when[:10]}",
                  "status": "completed", "code": code, "performedDateTime": when,
                  "note": [{"text": note}]})

    def weight_abs(self, when: str, kg) -> None:
        self.obs(f"{self.stem}-weight-{when[:10]}", loinc("29463-7"), when, "vital-signs",
                 valueQuantity=qty(kg, "kg"))

    # ----- infusion -------------------------------------------------------------------------
    def infusion(self) -> None:
        when = iso(self.at(0, self.infusion_hour))
        self.add({"resourceType": "Procedure", "id": f"{self.stem}-cart-infusion",
                  "status": "completed", "code": cart("car-t-infusion"), "performedDateTime": when})
        self.add({"resourceType": "MedicationAdministration", "id": f"{self.stem}-tisagenlecleucel",
                  "status": "completed",
                  "medicationCodeableConcept": {
                      "coding": [{"system": NDC, "code": "0078-0846",
                                  "display": "Kymriah (tisagenlecleucel)"}],
                      "text": "tisagenlecleucel"},
                  "effectiveDateTime": when,
                  # A dose, since R4 (mad-1) wants dose or rate whenever dosage is given: 1.0 x 10^8 cells is
                  # inside the US label's range for B-ALL at every weight here (0.2-5.0 x 10^6/kg up to 50 kg,
                  # 0.1-2.5 x 10^8 above).
                  "dosage": {"text": "Single IV infusion of CAR-positive viable T cells", "route": ROUTE_IV,
                             "dose": {"value": 100000000, "unit": "CAR-positive viable T cells",
                                      "system": UCUM, "code": "{cells}"}}})

    # ----- post-infusion readings (relative days) -------------------------------------------
    def weight(self, day: int, hour: int, kg) -> None:
        self.obs(self.rid("weight", day, hour), loinc("29463-7"), iso(self.at(day, hour)), "vital-signs",
                 valueQuantity=qty(kg, "kg"))

    def temp(self, day: int, hour: int, value, unit: str = "Cel") -> None:
        human = "°C" if unit == "Cel" else "°F"
        self.obs(self.rid("temp", day, hour), loinc("8310-5"), iso(self.at(day, hour)), "vital-signs",
                 valueQuantity=qty(value, unit, human))

    def bp(self, day: int, hour: int, sbp: int, dbp: int | None, standalone: bool = False) -> None:
        when = iso(self.at(day, hour))
        if standalone:
            self.obs(self.rid("sbp", day, hour), loinc("8480-6"), when, "vital-signs",
                     valueQuantity=qty(sbp, "mm[Hg]", "mmHg"),
                     method={"text": "Arterial line"})
            return
        self.obs(self.rid("bp", day, hour), loinc("85354-9"), when, "vital-signs",
                 component=[{"code": loinc("8480-6"), "valueQuantity": qty(sbp, "mm[Hg]", "mmHg")},
                            {"code": loinc("8462-4"), "valueQuantity": qty(dbp, "mm[Hg]", "mmHg")}])

    def spo2(self, day: int, hour: int, pct: int) -> None:
        # 2708-6 as well: the FHIR vital-signs SpO2 profile (oxygensat) requires it beside the pulse-oximetry code.
        code = loinc("59408-5")
        code["coding"] += loinc("2708-6")["coding"]
        self.obs(self.rid("spo2", day, hour), code, iso(self.at(day, hour)), "vital-signs",
                 valueQuantity=qty(pct, "%"))

    def oxygen(self, day: int, hour: int, device: str, flow=None, fio2=None) -> None:
        when = iso(self.at(day, hour))
        self.obs(self.rid("o2dev", day, hour), cart("oxygen-delivery"), when, "vital-signs",
                 valueCodeableConcept=cart(device))
        if flow is not None:
            self.obs(self.rid("o2flow", day, hour), loinc("3151-8"), when, "vital-signs",
                     valueQuantity=qty(flow, "L/min"))
        if fio2 is not None:
            self.obs(self.rid("fio2", day, hour), loinc("3150-0"), when, "vital-signs",
                     valueQuantity=qty(fio2, "%"))

    def hypotension(self, day: int, hour: int) -> None:
        self.obs(self.rid("hypotension", day, hour), cart("hypotension"), iso(self.at(day, hour)), "exam",
                 valueBoolean=True, note=[{"text": "Hypotension, fluid bolus 20 mL/kg given"}])

    def ice(self, day: int, hour: int, score: int, note: str | None = None) -> None:
        extra = {"note": [{"text": note}]} if note else {}
        self.obs(self.rid("ice", day, hour), cart("ice-score"), iso(self.at(day, hour)), "survey",
                 valueInteger=score, **extra)

    def capd(self, day: int, hour: int, score: int) -> None:
        self.obs(self.rid("capd", day, hour), cart("capd-score"), iso(self.at(day, hour)), "survey",
                 valueInteger=score)

    def consciousness(self, day: int, hour: int, level: str) -> None:
        self.obs(self.rid("loc", day, hour), cart("consciousness"), iso(self.at(day, hour)), "exam",
                 valueCodeableConcept=cart(level))

    def seizure(self, day: int, hour: int, minute: int, kind: str, note: str) -> None:
        self.obs(self.rid("seizure", day, hour, minute), cart("seizure"), iso(self.at(day, hour, minute)),
                 "exam", valueCodeableConcept=cart(kind), note=[{"text": note}])

    def lab(self, day: int, hour: int, key: str, value) -> None:
        code, ucum, unit, low, high = LABS[key]
        res = {"valueQuantity": qty(value, ucum, unit)}
        rr = {}
        if low is not None:
            rr["low"] = qty(low, ucum, unit)
        if high is not None:
            rr["high"] = qty(high, ucum, unit)
        if rr:
            res["referenceRange"] = [rr]
        self.obs(self.rid(key, day, hour), loinc(code), iso(self.at(day, hour)), "laboratory", **res)

    def labs(self, hour: int, table: dict) -> None:
        """table: key -> {day: value}"""
        for key, series in table.items():
            for day, value in series.items():
                self.lab(day, hour, key, value)

    def med(self, kind: str, day: int, hour: int, minute: int, dose_mg=None, text: str | None = None,
            until: tuple[int, int, int] | None = None, rate=None, route: dict = ROUTE_IV) -> None:
        code, name = RX[kind]
        res = {"resourceType": "MedicationAdministration",
               "id": self.rid(kind, day, hour, minute), "status": "completed",
               "medicationCodeableConcept": cc(RXNORM, code, name, name)}
        start = iso(self.at(day, hour, minute))
        if until:
            res["effectivePeriod"] = {"start": start, "end": iso(self.at(*until))}
        else:
            res["effectiveDateTime"] = start
        dosage = {}
        if text:
            dosage["text"] = text
        dosage["route"] = route
        if dose_mg is not None:
            dosage["dose"] = qty(dose_mg, "mg")
        if rate is not None:
            dosage["rateQuantity"] = qty(rate, "ug/kg/min", "mcg/kg/min")
        res["dosage"] = dosage
        self.add(res)

    # ----- day-by-day vital signs -------------------------------------------------------------
    def vitals(self, days: range, full_days: set[int], overrides: dict, normal_sbp=(100, 118),
               default_device=("room-air", None, None)) -> None:
        """overrides: (day, hour) -> dict with any of temp, tunit, sbp, dbp, sbp_only, spo2,
        device, flow, fio2, hypotension. Missing values are normal."""
        device_state = default_device
        for day in days:
            slots = SLOTS_FULL if day in full_days else SLOTS_QUIET
            for hour in slots:
                o = overrides.get((day, hour), {})
                key = f"{self.stem}-{day}-{hour}"
                t = o.get("temp", round(36.6 + stable(key + "t", 8) / 10, 1))
                self.temp(day, hour, t, o.get("tunit", "Cel"))
                lo, hi = normal_sbp
                sbp = o.get("sbp", lo + stable(key + "s", hi - lo + 1))
                dbp = o.get("dbp", 56 + stable(key + "d", 15))
                self.bp(day, hour, sbp, dbp, standalone=o.get("sbp_only", False))
                if "hypotension" in o:
                    self.hypotension(day, hour)
                if "device" in o:
                    device_state = (o["device"], o.get("flow"), o.get("fio2"))
                dev, flow, fio2 = device_state
                self.spo2(day, hour, o.get("spo2", 96 + stable(key + "o", 4)))
                self.oxygen(day, hour, dev, flow, fio2)

    def write(self) -> str:
        path = os.path.join(HERE, f"{self.pid}.json")
        lines = ['{', '  "resourceType": "Bundle",', '  "type": "transaction",', '  "entry": [']
        for i, e in enumerate(self.entries):
            sep = "," if i < len(self.entries) - 1 else ""
            lines.append("    " + json.dumps(e, ensure_ascii=False) + sep)
        lines += ["  ]", "}"]
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write("\n".join(lines) + "\n")
        return path


def set_o2(ov: dict, day: int, hours, device: str, flow=None, fio2=None) -> None:
    for h in hours:
        ov.setdefault((day, h), {}).update({"device": device, "flow": flow, "fio2": fio2})


def set_temps(ov: dict, day: int, temps: dict) -> None:
    for h, t in temps.items():
        ov.setdefault((day, h), {})["temp"] = t


def neuro_ice(j: Journey, days: range, special: dict, skip: set = frozenset(), notes: dict | None = None) -> None:
    notes = notes or {}
    for day in days:
        for hour in NEURO_SLOTS:
            j.consciousness(day, hour, "alert")
            if (day, hour) in skip:
                continue
            j.ice(day, hour, special.get((day, hour), 10), notes.get((day, hour)))


# =============================================================================================
# Seed patient 1: relapse after allo-SCT, ASTCT grade 4 CRS (BiPAP), tocilizumab + steroids
# =============================================================================================
def p1() -> Journey:
    j = Journey("cart-p1-post-sct-relapse", "p1", "1998-03-14", "female",
                "Patient One", "SYN-0001", day0="2013-05-07")
    j.b_all("2002-07-15T09:00:00Z", "NCI standard risk, WBC 4,900/uL, non-informative cytogenetics, CNS1 "
            "at diagnosis. POG 9905 regimen C, therapy completed January 2005.")
    j.status("2002-08-12T09:00:00Z", "remission", "End of induction: morphologic remission.")
    j.status("2009-06-10T09:00:00Z", "relapse", "First relapse: late, isolated bone marrow (age 11).")
    j.blasts("2009-06-10T09:00:00Z", 45)
    j.status("2009-08-03T09:00:00Z", "remission", "Second remission after COG AALL0433 reinduction.")
    j.hsct("2010-01-19T09:00:00Z", "Matched-sibling allogeneic SCT after cyclophosphamide/TBI "
           "conditioning; no GVHD; immunosuppression stopped within 60 days.", snomed_too=True)
    j.status("2013-01-22T09:00:00Z", "relapse", "Second relapse, isolated bone marrow, 3 years after SCT.")
    j.status("2013-03-05T09:00:00Z", "refractory-relapse",
             "Refractory to 4-drug reinduction: 70% peripheral blasts.")
    j.blasts("2013-04-26T09:00:00Z", 62)
    j.cd19("2013-04-26T09:00:00Z")
    j.cns("2013-04-26T09:00:00Z", "cns1")
    j.performance("2013-04-26T09:00:00Z", 80)
    j.weight_abs("2013-04-26T09:00:00Z", 53.1)

    j.infusion()
    j.weight(0, 6, 52.0)

    ov: dict = {}
    # Day 5: fever, hypotension -> norepinephrine, hypoxia -> BiPAP
    set_temps(ov, 5, {2: 38.6, 10: 39.5, 14: 39.2, 18: 38.9, 22: 37.9})
    ov[(5, 6)] = {"temp": 103.1, "tunit": "[degF]"}  # 39.5 Cel
    ov[(5, 2)].update({"sbp": 101, "dbp": 58, "spo2": 95})
    ov[(5, 6)].update({"sbp": 84, "dbp": 44, "hypotension": True, "spo2": 93})
    ov[(5, 10)].update({"sbp": 78, "sbp_only": True, "spo2": 92})
    ov[(5, 14)].update({"sbp": 92, "dbp": 50, "spo2": 94})
    ov[(5, 18)].update({"sbp": 96, "dbp": 52, "spo2": 95})
    ov[(5, 22)].update({"sbp": 98, "dbp": 54, "spo2": 96})
    set_o2(ov, 5, [6], "nasal-cannula", 2)
    set_o2(ov, 5, [10], "face-mask", 10)
    set_o2(ov, 5, [14], "bipap", fio2=50)
    set_o2(ov, 5, [18], "bipap", fio2=45)
    set_o2(ov, 5, [22], "bipap", fio2=40)
    # Day 6: afebrile after tocilizumab + methylprednisolone, still on BiPAP and norepinephrine
    set_temps(ov, 6, {2: 37.6, 6: 37.4, 10: 37.2, 14: 37.5, 18: 37.3, 22: 37.1})
    for h, s in zip(SLOTS_FULL, (98, 100, 101, 99, 103, 104)):
        ov[(6, h)].update({"sbp": s, "dbp": 55})
    set_o2(ov, 6, [2, 6], "bipap", fio2=40)
    set_o2(ov, 6, [10, 14], "bipap", fio2=35)
    set_o2(ov, 6, [18, 22], "bipap", fio2=30)
    # Day 7: off BiPAP -> high-flow 8 L/min -> nasal cannula 4 L/min; norepinephrine stopped 08:00
    set_o2(ov, 7, [2, 6, 10], "high-flow-nasal-cannula", 8, 30)
    set_o2(ov, 7, [14, 18, 22], "nasal-cannula", 4)
    set_o2(ov, 8, SLOTS_FULL, "nasal-cannula", 2)
    set_o2(ov, 9, [2, 6, 10], "nasal-cannula", 1)
    set_o2(ov, 9, [14], "room-air")
    j.vitals(range(-1, 15), full_days={4, 5, 6, 7, 8, 9}, overrides=ov, normal_sbp=(104, 120))

    # CRS rescue: tocilizumab 8 mg/kg, methylprednisolone 1 mg/kg IV q12h x 2 days
    j.med("norepinephrine", 5, 9, 30, text="Norepinephrine infusion, titrated to 0.3 mcg/kg/min (high dose)",
          until=(7, 8, 0), rate=0.3)
    j.med("tocilizumab", 5, 14, 30, dose_mg=416, text="Tocilizumab 8 mg/kg (416 mg) IV over 1 h")
    for day, hour in ((5, 15), (6, 3), (6, 15), (7, 3)):
        j.med("methylprednisolone", day, hour, 0, dose_mg=52, text="Methylprednisolone 1 mg/kg (52 mg) IV q12h")

    # ICE twice daily; not performed while on BiPAP (patient alert)
    neuro_ice(j, range(-1, 15), {}, skip={(5, 22), (6, 10), (6, 22)})

    j.labs(6, {
        "ferritin": {-1: 850, 3: 1200, 5: 3900, 6: 6800, 7: 5200, 9: 2100, 14: 900},
        "crp": {-1: 4, 3: 18, 5: 160, 6: 210, 7: 120, 9: 30, 14: 6},
        "alt": {-1: 30, 3: 34, 5: 62, 6: 88, 7: 75, 9: 50, 14: 35},
        "ast": {-1: 28, 3: 30, 5: 70, 6: 95, 7: 60, 9: 40, 14: 30},
        "bilirubin": {-1: 0.6, 5: 0.9, 6: 1.0, 7: 0.9, 14: 0.6},
        "creatinine": {-1: 0.7, 3: 0.7, 5: 0.9, 6: 1.0, 7: 0.9, 9: 0.8, 14: 0.7},
        "fibrinogen": {-1: 310, 3: 330, 5: 420, 6: 380, 7: 350, 9: 320, 14: 300},
        "platelets": {-1: 45, 5: 30, 7: 28, 14: 52},
        "neutrophils": {-1: 0.3, 5: 0.1, 7: 0.2, 14: 1.1},
    })
    j.lab(28, 9, "igg", 380)
    j.lab(28, 9, "cd19pct", 0.1)
    j.status(iso(j.at(28, 9)), "remission", "Day 28: MRD-negative complete remission.")
    return j


# =============================================================================================
# Seed patient 2: Ph+ B-ALL, multiple BM/CNS relapses after SCT, ICANS grade 2
# =============================================================================================
def p2() -> Journey:
    j = Journey("cart-p2-cns-relapse", "p2", "2000-02-10", "male",
                "Patient Two", "SYN-0002", day0="2013-03-19")
    j.b_all("2005-05-16T09:00:00Z", "Philadelphia chromosome positive (BCR-ABL1) B-ALL; WBC 75,000/uL; "
            "no extramedullary disease at diagnosis. COG AALL0232.")
    j.status("2005-06-20T09:00:00Z", "remission")
    j.status("2009-10-14T09:00:00Z", "relapse", "Isolated bone marrow relapse.")
    j.blasts("2009-10-14T09:00:00Z", 80)
    j.status("2009-12-01T09:00:00Z", "remission", "After AALL01P2 with imatinib.")
    j.hsct("2010-02-09T09:00:00Z", "10/10-matched unrelated-donor allogeneic SCT.")
    j.status("2010-11-03T09:00:00Z", "relapse", "Combined bone marrow and CNS relapse < 1 year after SCT.")
    j.cns("2010-11-03T09:00:00Z", "cns3")
    j.status("2011-01-10T09:00:00Z", "remission", "After vinorelbine/topotecan/thiotepa/clofarabine/"
             "dexamethasone and intrathecal cytarabine; donor lymphocyte infusion followed.")
    j.status("2011-03-01T09:00:00Z", "relapse", "Bone marrow and CNS relapse within weeks of DLI.")
    j.cns("2011-03-01T09:00:00Z", "cns3")
    j.status("2011-05-02T09:00:00Z", "remission", "Fourth remission after cyclophosphamide/etoposide + dasatinib.")
    j.status("2012-01-16T09:00:00Z", "relapse", "Isolated CNS relapse.")
    j.cns("2012-01-16T09:00:00Z", "cns3")
    j.status("2012-03-12T09:00:00Z", "remission")
    j.status("2012-08-20T09:00:00Z", "relapse", "Combined bone marrow and CNS relapse; nilotinib.")
    j.cns("2012-08-20T09:00:00Z", "cns3")
    j.blasts("2012-08-20T09:00:00Z", 25)
    j.blasts("2013-03-05T09:00:00Z", 8)
    j.cd19("2013-03-05T09:00:00Z")
    j.cns("2013-03-05T09:00:00Z", "cns1")
    j.performance("2013-03-05T09:00:00Z", 70)

    j.infusion()
    j.weight(0, 6, 38.2)

    ov: dict = {}
    set_temps(ov, 4, {14: 38.4, 18: 38.6, 22: 38.3})
    set_temps(ov, 5, {2: 38.2, 6: 37.9})
    j.vitals(range(-1, 15), full_days={3, 4, 5, 6, 7}, overrides=ov, normal_sbp=(100, 116))
    for day, hour in ((4, 14), (4, 22), (5, 6)):
        j.med("acetaminophen", day, hour, 30, dose_mg=575, text="Acetaminophen 15 mg/kg PO", route=ROUTE_PO)

    wf = "Word-finding difficulty and confusion; awake, follows commands."
    neuro_ice(j, range(-1, 15), {(4, 22): 5, (5, 10): 5, (5, 22): 8},
              notes={(4, 22): wf, (5, 10): wf, (5, 22): "Improving; mild naming difficulty."})

    j.labs(6, {
        "ferritin": {-1: 220, 2: 240, 4: 280, 7: 230},
        "crp": {-1: 3, 2: 8, 4: 35, 7: 5},
        "alt": {-1: 22, 2: 25, 4: 30, 7: 24},
        "ast": {-1: 25, 2: 27, 4: 31, 7: 26},
        "creatinine": {-1: 0.5, 2: 0.5, 4: 0.6, 7: 0.5},
        "fibrinogen": {-1: 290, 2: 300, 4: 320, 7: 300},
    })
    j.status(iso(j.at(28, 9)), "remission", "Day 28: MRD-negative remission, CSF clear.")
    return j


# =============================================================================================
# Seed patient 3: primary refractory Ph-like B-ALL, grade 1 CRS, later CD19-negative MRD
# =============================================================================================
def p3() -> Journey:
    j = Journey("cart-p3-primary-refractory", "p3", "1997-09-05", "female",
                "Patient Three", "SYN-0003", day0="2015-01-13")
    j.b_all("2014-03-10T09:00:00Z", "Very-high-risk precursor B-ALL, WBC > 200,000/uL; Ph-like "
            "(EBF1-PDGFRB); dasatinib added on induction day 15. COG AALL1131.")
    j.blasts("2014-04-07T09:00:00Z", 67)
    j.status("2014-04-07T09:00:00Z", "primary-refractory", "End of induction: 67% marrow blasts "
             "(primary induction failure, > 25%). T cells collected at this point.")
    j.blasts("2014-05-12T09:00:00Z", 65)
    j.status("2014-07-21T09:00:00Z", "mrd-positive", "End of consolidation: MRD 0.13%; not eligible for SCT.")
    j.blasts("2014-07-21T09:00:00Z", 0.13, "Flow cytometry MRD, bone marrow")
    j.blasts("2014-12-22T09:00:00Z", 0.2, "Flow cytometry MRD, bone marrow")
    j.cd19("2014-12-22T09:00:00Z")
    j.cns("2014-12-22T09:00:00Z", "cns1")
    j.performance("2014-12-22T09:00:00Z", 90)

    j.infusion()
    j.weight(0, 6, 61.0)

    ov: dict = {}
    set_temps(ov, 2, {14: 38.6, 18: 39.1, 22: 38.8})
    set_temps(ov, 3, {2: 38.9, 6: 38.4, 10: 38.1, 14: 38.6, 18: 38.3, 22: 37.9})
    set_temps(ov, 4, {2: 38.2, 6: 37.8})
    j.vitals(range(-1, 15), full_days={1, 2, 3, 4, 5}, overrides=ov, normal_sbp=(106, 122))
    for day, hour in ((2, 14), (2, 22), (3, 6), (3, 14)):
        j.med("acetaminophen", day, hour, 30, dose_mg=650, text="Acetaminophen 650 mg PO", route=ROUTE_PO)
    neuro_ice(j, range(-1, 15), {})
    j.labs(6, {
        "ferritin": {-1: 600, 3: 1500, 7: 900},
        "crp": {-1: 4, 3: 48, 7: 9},
        "alt": {-1: 25, 3: 31, 7: 28},
        "ast": {-1: 22, 3: 29, 7: 24},
        "creatinine": {-1: 0.6, 3: 0.7, 7: 0.6},
        "fibrinogen": {-1: 300, 3: 380, 7: 320},
    })
    j.status(iso(j.at(28, 9)), "remission", "Day 28: MRD-negative complete remission.")
    j.lab(28, 9, "igg", 420)
    j.lab(28, 9, "cd19pct", 0.0)
    # Nine months later: CD19-negative MRD
    j.blasts("2015-10-13T09:00:00Z", 0.8, "Flow cytometry MRD, bone marrow (morphologically negative)")
    j.status("2015-10-13T09:00:00Z", "mrd-positive", "Surveillance marrow morphologically negative, "
             "MRD 0.8% with CD19-negative blasts.")
    j.cd19("2015-10-13T09:00:00Z", "negative")
    j.lab(270, 9, "igg", 310)
    return j


# =============================================================================================
# Seed patient 4: Down syndrome, second relapse, mild CRS, seizure day 8 -> ICANS grade 3
# =============================================================================================
def p4() -> Journey:
    j = Journey("cart-p4-down-syndrome", "p4", "2000-11-20", "female",
                "Patient Four", "SYN-0004", day0="2016-05-10")
    j.condition("dx-down-syndrome",
                {"coding": [{"system": SNOMED, "code": "41040004", "display": "Complete trisomy 21 syndrome"},
                            {"system": ICD10CM, "code": "Q90.9", "display": "Down syndrome, unspecified"}],
                 "text": "Down syndrome (trisomy 21)"},
                "2000-11-20T00:00:00Z", "VSD and ASD surgically repaired in infancy.")
    j.b_all("2009-03-16T09:00:00Z", "NCI standard-risk B-ALL at age 8; COG AALL0932 (Down syndrome arm).")
    j.status("2009-04-13T09:00:00Z", "remission", "Day 29 MRD < 0.01%.")
    j.status("2015-03-09T09:00:00Z", "relapse", "First relapse at age 14, 4 years after completing therapy.")
    j.status("2015-04-20T09:00:00Z", "remission", "Responded well to standard first-relapse therapy.")
    j.status("2016-01-18T09:00:00Z", "relapse", "Second relapse; SCT toxicity risk judged unacceptable.")
    j.blasts("2016-04-25T09:00:00Z", 18)
    j.cd19("2016-04-25T09:00:00Z")
    j.cns("2016-04-25T09:00:00Z", "cns1")
    j.performance("2016-04-25T09:00:00Z", 80)

    j.infusion()
    j.weight(0, 6, 29.9)

    ov: dict = {}
    set_temps(ov, 5, {10: 38.9, 14: 38.6, 18: 38.4, 22: 38.2})
    set_temps(ov, 6, {2: 38.1, 6: 37.8})
    ov[(5, 10)]["spo2"] = 92
    set_o2(ov, 5, [14, 18, 22], "nasal-cannula", 1)
    set_o2(ov, 6, [2, 6], "nasal-cannula", 1)
    set_o2(ov, 6, [10], "nasal-cannula", 0.5)
    set_o2(ov, 6, [14], "room-air")
    j.vitals(range(-1, 15), full_days={4, 5, 6, 7, 8, 9}, overrides=ov, normal_sbp=(98, 112))
    for day, hour in ((5, 10), (5, 18)):
        j.med("acetaminophen", day, hour, 30, dose_mg=450, text="Acetaminophen 15 mg/kg PO", route=ROUTE_PO)

    # CAPD (developmental delay) twice daily
    capd = {(8, 10): 6, (8, 22): 3, (9, 10): 1}
    loc = {(8, 10): "awakens-to-voice", (8, 22): "awakens-spontaneously"}
    for day in range(-1, 15):
        for hour in NEURO_SLOTS:
            j.consciousness(day, hour, loc.get((day, hour), "alert"))
            j.capd(day, hour, capd.get((day, hour), 0))
    j.seizure(8, 9, 15, "rapidly-resolving",
              "Generalized tonic-clonic seizure, about 90 seconds, resolved without benzodiazepine; post-ictal.")
    j.add({"resourceType": "MedicationRequest", "id": "p4-levetiracetam-order",
           "status": "completed", "intent": "order",
           "medicationCodeableConcept": cc(RXNORM, "114477", "levetiracetam", "levetiracetam"),
           "authoredOn": iso(j.at(8, 10, 15)),
           "dosageInstruction": [{
               "text": "Levetiracetam 10 mg/kg (300 mg) q12h; stopped on day 28 (MRD-negative remission)",
               "timing": {"repeat": {"boundsPeriod": {"start": iso(j.at(8, 10, 30)), "end": iso(j.at(28, 10))},
                                     "frequency": 1, "period": 12, "periodUnit": "h"}},
               "route": ROUTE_IV,
               "doseAndRate": [{"doseQuantity": qty(300, "mg")}]}]})
    j.med("levetiracetam", 8, 10, 30, dose_mg=300, text="Levetiracetam 300 mg IV (first dose)")

    j.labs(6, {
        "ferritin": {-1: 500, 5: 1800, 7: 1200, 10: 700},
        "crp": {-1: 5, 5: 70, 7: 25, 10: 6},
        "alt": {-1: 35, 5: 48, 7: 44, 10: 38},
        "ast": {-1: 30, 5: 45, 7: 40, 10: 33},
        "creatinine": {-1: 0.5, 5: 0.6, 7: 0.5, 10: 0.5},
        "fibrinogen": {-1: 280, 5: 390, 7: 340, 10: 300},
    })
    j.status(iso(j.at(28, 9)), "remission", "Day 28: MRD-negative remission; levetiracetam stopped.")
    return j


# =============================================================================================
# Edge cases
# =============================================================================================
def second_relapse_history(j: Journey, dx: str, rel1: str, rem: str, rel2: str, blasts=35) -> None:
    j.b_all(dx)
    j.status(rel1, "relapse")
    j.status(rem, "remission")
    j.status(rel2, "relapse")
    j.blasts(rel2, blasts)
    j.cd19(rel2)
    j.cns(rel2, "cns1")


def e1() -> Journey:
    j = Journey("cart-e1-age-26", "e1", "1998-06-15", "male", "Edge Age Twentysix", "SYN-1001")
    second_relapse_history(j, "2019-02-11T09:00:00Z", "2022-05-10T09:00:00Z", "2022-07-01T09:00:00Z",
                           "2024-04-22T09:00:00Z")
    j.performance("2024-05-30T09:00:00Z", 80)
    return j


def e1b() -> Journey:
    j = Journey("cart-e1b-age-25-day-before-26", "e1b", "1998-06-16", "female",
                "Edge Age Twentyfive", "SYN-1002")
    second_relapse_history(j, "2019-02-11T09:00:00Z", "2022-05-10T09:00:00Z", "2022-07-01T09:00:00Z",
                           "2024-04-22T09:00:00Z")
    j.performance("2024-05-30T09:00:00Z", 80)
    return j


def e2() -> Journey:
    j = Journey("cart-e2-first-relapse", "e2", "2010-09-09", "male",
                "Edge First Relapse", "SYN-1003")
    j.b_all("2016-01-20T09:00:00Z")
    j.status("2016-02-17T09:00:00Z", "remission")
    j.status("2023-01-10T09:00:00Z", "relapse", "First relapse: late, isolated bone marrow.")
    j.blasts("2023-01-10T09:00:00Z", 60)
    j.cd19("2023-01-10T09:00:00Z")
    j.cns("2023-01-10T09:00:00Z", "cns1")
    j.status("2023-02-27T09:00:00Z", "remission", "Chemo-sensitive: MRD-negative second remission after "
             "reinduction block 1.")
    j.performance("2023-03-01T09:00:00Z", 90)
    return j


def e3() -> Journey:
    j = Journey("cart-e3-t-all", "e3", "2008-08-08", "male", "Edge T Cell", "SYN-1004")
    j.condition("dx-tall", {"coding": [{"system": ICDO3, "code": "9837/3",
                                        "display": "T lymphoblastic leukemia/lymphoma"}],
                            "text": "T-cell acute lymphoblastic leukemia"},
                "2019-05-06T09:00:00Z", "Immunophenotype: cytoplasmic CD3+, CD7+, CD19-negative.")
    j.status("2019-06-03T09:00:00Z", "remission")
    j.status("2022-02-14T09:00:00Z", "relapse")
    j.status("2022-04-11T09:00:00Z", "remission")
    j.status("2023-09-18T09:00:00Z", "relapse")
    j.blasts("2023-09-18T09:00:00Z", 48)
    j.performance("2023-09-25T09:00:00Z", 80)
    return j


def e3b() -> Journey:
    j = Journey("cart-e3b-aml", "e3b", "2006-01-30", "female", "Edge Myeloid", "SYN-1005")
    j.condition("dx-aml", {"coding": [
        {"system": SNOMED, "code": "91861009", "display": "Acute myeloid leukemia (disorder)"},
        {"system": ICD10CM, "code": "C92.00", "display": "Acute myeloblastic leukemia, not having achieved remission"}],
        "text": "Acute myeloid leukemia"}, "2020-03-09T09:00:00Z")
    j.status("2020-04-06T09:00:00Z", "remission")
    j.status("2021-06-21T09:00:00Z", "relapse")
    j.status("2021-08-16T09:00:00Z", "remission")
    j.status("2023-08-07T09:00:00Z", "relapse")
    j.blasts("2023-08-07T09:00:00Z", 40)
    j.performance("2023-08-14T09:00:00Z", 70)
    return j


def e4() -> Journey:
    j = Journey("cart-e4-capd-child", "e4", "2013-02-11", "male", "Edge Capd Child",
                "SYN-1006", day0="2019-07-16")
    j.b_all("2018-09-03T09:00:00Z")
    j.blasts("2018-10-01T09:00:00Z", 38)
    j.status("2018-10-01T09:00:00Z", "primary-refractory", "End of induction: 38% marrow blasts.")
    j.blasts("2019-06-24T09:00:00Z", 22)
    j.cd19("2019-06-24T09:00:00Z")
    j.cns("2019-06-24T09:00:00Z", "cns1")
    j.performance("2019-06-24T09:00:00Z", 80)
    j.infusion()
    j.weight(0, 6, 21.0)
    ov: dict = {}
    set_temps(ov, 2, {14: 38.5, 18: 38.7, 22: 38.3})
    set_temps(ov, 3, {2: 38.1})
    j.vitals(range(0, 10), full_days=set(range(0, 10)), overrides=ov, normal_sbp=(96, 108))
    j.med("acetaminophen", 2, 14, 30, dose_mg=315, text="Acetaminophen 15 mg/kg PO", route=ROUTE_PO)
    capd = {(5, 22): 8, (6, 10): 8, (6, 22): 10, (7, 10): 7, (7, 22): 5, (8, 10): 2}
    loc = {(5, 22): "awakens-to-voice", (6, 10): "awakens-to-voice", (6, 22): "awakens-to-voice",
           (7, 10): "awakens-to-voice", (7, 22): "awakens-spontaneously"}
    for day in range(0, 10):
        for hour in NEURO_SLOTS:
            j.consciousness(day, hour, loc.get((day, hour), "alert"))
            j.capd(day, hour, capd.get((day, hour), 0))
    j.med("dexamethasone", 6, 22, 30, dose_mg=10, text="Dexamethasone 0.5 mg/kg (max 10 mg) IV for ICANS")
    return j


def e5() -> Journey:
    j = Journey("cart-e5-carhlh", "e5", "2007-10-02", "female", "Edge Hyperferritinemia",
                "SYN-1007", day0="2022-03-08")
    second_relapse_history(j, "2015-06-01T09:00:00Z", "2019-02-04T09:00:00Z", "2019-04-01T09:00:00Z",
                           "2021-12-13T09:00:00Z", blasts=55)
    j.performance("2022-02-21T09:00:00Z", 80)
    j.infusion()
    j.weight(0, 6, 48.0)
    ov: dict = {}
    set_temps(ov, 1, {14: 38.7, 18: 39.0, 22: 38.9})
    set_temps(ov, 2, {2: 39.2, 6: 39.4, 10: 39.1, 14: 38.4, 18: 37.8, 22: 37.5})
    set_temps(ov, 3, {2: 37.4, 6: 37.2, 10: 37.6, 14: 37.3, 18: 37.5, 22: 37.8})
    set_temps(ov, 4, {2: 37.6, 6: 37.9, 10: 38.8, 14: 38.9, 18: 39.0, 22: 38.7})
    set_temps(ov, 5, {2: 38.9, 6: 38.6, 10: 38.4, 14: 38.2, 18: 37.9, 22: 37.7})
    set_temps(ov, 6, {2: 37.5, 6: 37.3})
    ov[(2, 10)]["spo2"] = 93
    set_o2(ov, 2, [10], "nasal-cannula", 2)
    set_o2(ov, 3, [2], "nasal-cannula", 1)
    set_o2(ov, 4, [2], "nasal-cannula", 2)
    set_o2(ov, 6, [2], "nasal-cannula", 1)
    set_o2(ov, 6, [14], "room-air")
    j.vitals(range(-1, 7), full_days=set(range(-1, 7)), overrides=ov, normal_sbp=(102, 118))
    j.med("tocilizumab", 2, 11, 0, dose_mg=384, text="Tocilizumab 8 mg/kg (384 mg) IV over 1 h")
    neuro_ice(j, range(-1, 7), {})
    j.labs(6, {
        "ferritin": {-1: 900, 1: 2100, 3: 12500, 4: 45000, 5: 38000, 6: 30000},
        "crp": {-1: 5, 1: 60, 3: 90, 4: 150, 5: 170, 6: 140},
        "alt": {-1: 28, 1: 35, 3: 95, 4: 420, 5: 510, 6: 460},
        "ast": {-1: 32, 1: 40, 3: 110, 4: 610, 5: 480, 6: 350},
        "bilirubin": {-1: 0.5, 1: 0.6, 3: 1.0, 4: 2.5, 5: 4.0, 6: 3.6},
        "creatinine": {-1: 0.5, 1: 0.5, 3: 0.7, 4: 1.6, 5: 2.8, 6: 2.4},
        "fibrinogen": {-1: 310, 1: 280, 3: 210, 4: 120, 5: 95, 6: 110},
        "platelets": {-1: 60, 1: 55, 3: 40, 4: 22, 5: 15, 6: 18},
        "neutrophils": {-1: 0.4, 1: 0.3, 3: 0.2, 4: 0.1, 5: 0.1, 6: 0.2},
        "ldh": {-1: 450, 1: 600, 3: 1200, 4: 2400, 5: 2600, 6: 2200},
    })
    return j


def e6() -> Journey:
    j = Journey("cart-e6-missing-weight", "e6", "2013-05-22", "male", "Edge No Weight",
                "SYN-1008", day0="2023-11-14")
    second_relapse_history(j, "2017-08-14T09:00:00Z", "2020-10-05T09:00:00Z", "2020-12-07T09:00:00Z",
                           "2023-09-11T09:00:00Z")
    j.infusion()
    ov: dict = {}
    set_temps(ov, 3, {10: 37.8, 14: 38.9, 18: 39.2, 22: 38.5})
    set_temps(ov, 4, {2: 38.3, 6: 37.9})
    ov[(3, 14)]["spo2"] = 92
    set_o2(ov, 3, [18], "nasal-cannula", 2)
    j.vitals(range(0, 5), full_days=set(range(0, 5)), overrides=ov, normal_sbp=(100, 114))
    return j


def e7() -> Journey:
    j = Journey("cart-e7-boundaries", "e7", "2003-04-20", "female", "Edge Boundaries",
                "SYN-1009", day0="2021-09-06")
    second_relapse_history(j, "2016-11-07T09:00:00Z", "2019-03-18T09:00:00Z", "2019-05-13T09:00:00Z",
                           "2021-07-19T09:00:00Z")
    j.infusion()
    j.weight(0, 6, 30.0)
    ov: dict = {}
    set_temps(ov, 1, {2: 37.0, 6: 37.2, 10: 37.6, 14: 37.9, 18: 37.9, 22: 37.5})
    set_temps(ov, 2, {2: 37.6, 6: 37.8, 10: 38.0, 14: 38.0, 18: 37.9, 22: 37.7})
    set_temps(ov, 3, {2: 37.8, 6: 38.0, 10: 37.9, 14: 37.8, 18: 37.6, 22: 37.4})
    ov[(1, 10)]["spo2"] = 92
    set_o2(ov, 1, [14], "nasal-cannula", 2)
    set_o2(ov, 2, [10], "nasal-cannula", 6)
    set_o2(ov, 3, [6], "nasal-cannula", 6.5)
    set_o2(ov, 3, [18], "nasal-cannula", 5)
    set_o2(ov, 3, [22], "nasal-cannula", 4)
    set_o2(ov, 4, [2], "nasal-cannula", 3)
    set_o2(ov, 5, [2], "nasal-cannula", 1)
    set_o2(ov, 5, [14], "room-air")
    j.vitals(range(-1, 7), full_days=set(range(-1, 7)), overrides=ov, normal_sbp=(102, 118))
    return j


# =============================================================================================
# Expectations (hand-derived from docs/CLINICAL-RULES.md; see README.md)
# =============================================================================================
def expectations() -> list[dict]:
    def tox(bundle, now, expect, why, absent=None):
        case = {"bundle": f"{bundle}.json", "patientId": bundle, "service": "cart-toxicity",
                "now": now, "expect": expect, "why": why}
        if absent:
            case["expectAbsent"] = absent
        return case

    def elig(bundle, now, value, why):
        return {"bundle": f"{bundle}.json", "patientId": bundle, "service": "cart-eligibility",
                "now": now, "expect": {"eligibility": value}, "why": why}

    p1, p2, p3, p4 = ("cart-p1-post-sct-relapse", "cart-p2-cns-relapse", "cart-p3-primary-refractory",
                      "cart-p4-down-syndrome")
    e4, e5, e6, e7 = "cart-e4-capd-child", "cart-e5-carhlh", "cart-e6-missing-weight", "cart-e7-boundaries"
    return [
        # ---- p1 -------------------------------------------------------------------------------
        elig(p1, "2013-04-30T12:00:00Z", "eligible",
             "Age 15, B-ALL, second relapse (refractory to reinduction): label indication met."),
        tox(p1, "2013-05-11T23:00:00Z", {"crs-grade": 0, "icans-grade": 0},
            "Day 4: afebrile, room air, SBP >= 104, no drugs; ICE 10 and alert."),
        tox(p1, "2013-05-12T12:00:00Z", {"crs-grade": 3, "icans-grade": 0, "tocilizumab-dose-mg": 416},
            "Day 5 noon: fever 39.5 °C (103.1 °F), one vasopressor (norepinephrine from 09:30) and face mask "
            "-> grade 3; BiPAP not yet started. 52.0 kg >= 30 kg -> 8 mg/kg = 416 mg. ICE 10 at 22:00 "
            "day 4 and 10:00 day 5."),
        tox(p1, "2013-05-12T23:00:00Z", {"crs-grade": 4},
            "Day 5: fever, norepinephrine, BiPAP from 14:00 -> ASTCT grade 4 (positive pressure); the seed "
            "calls it grade 3 on an older scale. A single vasopressor alone would be grade 3."),
        tox(p1, "2013-05-13T23:00:00Z", {"crs-grade": 4},
            "Day 6: afebrile (max 37.6 °C) after tocilizumab and methylprednisolone, still on BiPAP and "
            "norepinephrine all day -> masked-fever rule, graded on hypoxia alone -> 4."),
        tox(p1, "2013-05-14T23:00:00Z", {"crs-grade": 3},
            "Day 7: high-flow nasal cannula 8 L/min until 10:00 and norepinephrine until 08:00, afebrile "
            "after tocilizumab -> 3."),
        tox(p1, "2013-05-15T23:00:00Z", {"crs-grade": 2},
            "Day 8: nasal cannula 2 L/min, no vasopressor, afebrile after tocilizumab -> 2."),
        tox(p1, "2013-05-18T23:00:00Z", {"crs-grade": 0, "icans-grade": 0},
            "Day 11: room air since day 9, normal SBP, afebrile -> 0 (masked-fever rule leaves nothing "
            "to grade); ICE 10."),
        # ---- p2 -------------------------------------------------------------------------------
        elig(p2, "2013-03-10T12:00:00Z", "eligible",
             "Age 13, Ph+ B-ALL, five relapse events (second or later relapse)."),
        tox(p2, "2013-03-21T23:00:00Z", {"crs-grade": 0, "icans-grade": 0},
            "Day 2: afebrile, room air; ICE 10, alert."),
        tox(p2, "2013-03-23T23:00:00Z", {"crs-grade": 1, "icans-grade": 2},
            "Day 4: fever 38.6 °C, no hypotension, room air -> CRS 1. ICE 5 at 22:00 (age 13 > 12, awake) "
            "-> ICANS 2."),
        tox(p2, "2013-03-24T12:00:00Z", {"crs-grade": 1, "icans-grade": 2, "iec-hs": "no-flag"},
            "Window holds fevers to 38.6 °C (last 38.2 at 02:00), room air -> 1; ICE 5 and 5 -> 2. Ferritin "
            "280 ng/mL (within reference), normal ALT/AST/fibrinogen/creatinine -> no carHLH/IEC-HS flag."),
        tox(p2, "2013-03-26T23:00:00Z", {"crs-grade": 0, "icans-grade": 0},
            "Day 7: afebrile, room air; ICE 10 since day 6 (resolved within 48 h)."),
        # ---- p3 -------------------------------------------------------------------------------
        elig(p3, "2015-01-05T12:00:00Z", "eligible",
             "Age 17, B-ALL, primary refractory (67% blasts at end of induction)."),
        tox(p3, "2015-01-14T23:00:00Z", {"crs-grade": 0, "icans-grade": 0}, "Day 1: afebrile, room air; ICE 10."),
        tox(p3, "2015-01-16T23:00:00Z", {"crs-grade": 1, "icans-grade": 0},
            "Day 3: fever to 38.9 °C, SBP >= 106, room air -> 1 (acetaminophen does not matter: fever "
            "present, no hypotension/hypoxia). ICE 10."),
        tox(p3, "2015-01-21T23:00:00Z", {"crs-grade": 0, "icans-grade": 0}, "Day 8: afebrile, room air; ICE 10."),
        # ---- p4 -------------------------------------------------------------------------------
        elig(p4, "2016-04-28T12:00:00Z", "eligible",
             "Age 15, B-ALL, second relapse; Down syndrome is informational only."),
        tox(p4, "2016-05-14T23:00:00Z", {"crs-grade": 0, "icans-grade": 0},
            "Day 4: afebrile, room air; CAPD 0, alert, no seizure."),
        tox(p4, "2016-05-15T23:00:00Z", {"crs-grade": 2, "icans-grade": 0, "tocilizumab-dose-mg": 358.8},
            "Day 5: fever 38.9 °C + nasal cannula 1 L/min, SBP >= 98 -> 2. Weight 29.9 kg < 30 kg -> "
            "12 mg/kg = 358.8 mg (unrounded). CAPD 0, alert."),
        tox(p4, "2016-05-18T23:00:00Z", {"crs-grade": 0, "icans-grade": 3},
            "Day 8: clinical seizure resolving rapidly at 09:15 -> ICANS 3 (CAPD 6/3 and awakens-to-voice "
            "are lower). Afebrile, room air since day 6 -> CRS 0."),
        tox(p4, "2016-05-21T23:00:00Z", {"crs-grade": 0, "icans-grade": 0},
            "Day 11: CAPD 0, alert, no seizure in 24 h; afebrile, room air."),
        # ---- e1 / e1b / e2 / e3 / e3b -----------------------------------------------------------
        elig("cart-e1-age-26", "2024-06-15T12:00:00Z", "not-eligible",
             "26th birthday is the evaluation date (born 1998-06-15): older than 25."),
        elig("cart-e1b-age-25-day-before-26", "2024-06-15T12:00:00Z", "eligible",
             "Age 25, 26th birthday tomorrow (born 1998-06-16): default 'through the day before the 26th "
             "birthday'; B-ALL in second relapse."),
        elig("cart-e2-first-relapse", "2023-03-15T12:00:00Z", "not-eligible",
             "Only one relapse, chemo-sensitive (MRD-negative remission after reinduction); never refractory."),
        elig("cart-e3-t-all", "2023-10-10T12:00:00Z", "not-eligible",
             "T-cell ALL (ICD-O-3 9837/3), not B-cell precursor ALL, although in second relapse at 15."),
        elig("cart-e3b-aml", "2023-09-01T12:00:00Z", "not-eligible",
             "Acute myeloid leukaemia (SNOMED 91861009), not B-ALL, although in second relapse at 17."),
        # ---- e4 -------------------------------------------------------------------------------
        tox(e4, "2019-07-18T23:00:00Z", {"crs-grade": 1, "icans-grade": 0},
            "Day 2: fever 38.7 °C, SBP >= 96 (threshold 70 + 2 x 6 = 82), room air -> 1. Age 6 -> CAPD: 0, alert."),
        tox(e4, "2019-07-21T23:00:00Z", {"crs-grade": 0, "icans-grade": 2},
            "Day 5: CAPD 8 (grade 1-2) with awakens-to-voice (grade 2) at 22:00 -> 2. Afebrile, room air."),
        tox(e4, "2019-07-22T23:00:00Z", {"crs-grade": 0, "icans-grade": 3},
            "Day 6: CAPD 10 (>= 9) at 22:00 -> 3. Dexamethasone at 22:30 but no hypotension/hypoxia -> CRS 0."),
        tox(e4, "2019-07-25T23:00:00Z", {"crs-grade": 0, "icans-grade": 0}, "Day 9: CAPD 0, alert; afebrile, room air."),
        # ---- e5 -------------------------------------------------------------------------------
        tox(e5, "2022-03-11T23:00:00Z", {"crs-grade": 2},
            "Day 3: afebrile after tocilizumab (day 2) but nasal cannula 1 L/min all day -> masked-fever "
            "rule -> 2."),
        tox(e5, "2022-03-13T23:00:00Z", {"crs-grade": 2, "icans-grade": 0, "iec-hs": "flag"},
            "Day 5: fever 38.9 °C, nasal cannula 2 L/min, SBP >= 102 -> 2 (organ toxicity does not raise "
            "the CRS grade). Ferritin 45,000 ng/mL (> 10,000) on day 4 plus grade 3 ALT 510/AST 610 U/L "
            "(> 5 x ULN 40), bilirubin 4.0 mg/dL (> 3 x ULN 1.2) and creatinine 2.8 mg/dL (5.6 x baseline "
            "0.5, 3.5 x ULN 0.8); fibrinogen 95 mg/dL; worsening after initial response -> carHLH/IEC-HS flag. "
            "ICE 10."),
        # ---- e6 -------------------------------------------------------------------------------
        tox(e6, "2023-11-15T23:00:00Z", {"crs-grade": 0}, "Day 1: afebrile, room air."),
        tox(e6, "2023-11-17T23:00:00Z", {"crs-grade": 2},
            "Day 3: fever 39.2 °C + nasal cannula 2 L/min, SBP >= 100 (threshold 90 at age 10) -> 2. "
            "No body weight anywhere -> no tocilizumab dose is computed (the card must say so).",
            absent=["tocilizumab-dose-mg"]),
        # ---- e7 -------------------------------------------------------------------------------
        tox(e7, "2021-09-07T23:00:00Z", {"crs-grade": 0},
            "Day 1: max 37.9 °C (< 38.0) with nasal cannula 2 L/min; never febrile, no antipyretic, "
            "tocilizumab or steroid -> no CRS grade."),
        tox(e7, "2021-09-08T23:00:00Z", {"crs-grade": 2, "tocilizumab-dose-mg": 240},
            "Day 2: exactly 38.0 °C (fever is >= 38.0) + nasal cannula 6 L/min (low flow is <= 6) -> 2. "
            "Weight exactly 30.0 kg -> 8 mg/kg = 240 mg."),
        tox(e7, "2021-09-09T23:00:00Z", {"crs-grade": 3, "tocilizumab-dose-mg": 240},
            "Day 3: exactly 38.0 °C + nasal cannula at 6.5 L/min (> 6 L/min counts as high flow) -> 3."),
        tox(e7, "2021-09-10T23:00:00Z", {"crs-grade": 0},
            "Day 4: afebrile (max 37.2 °C), never given antipyretic/tocilizumab/steroid, still on nasal cannula "
            "3 L/min -> fever is required -> 0."),
        tox(e7, "2021-09-12T23:00:00Z", {"crs-grade": 0}, "Day 6: room air, afebrile."),
    ]


# What a clinician is told to do each day of the seed journeys (issue 20 §2; docs/CLINICAL-RULES.md
# §4a): the action codes of the CRS / ICANS card ("+"-joined, in card order) and the weight-based
# doses, derived by hand from the table in §4a (0.5 mg/kg dexamethasone max 10 mg; methylprednisolone
# 30 mg/kg max 1,000 mg; anakinra 2 mg/kg max 100 mg; siltuximab 11 mg/kg; ruxolitinib 0.5 mg/kg max
# 10 mg), merged into the grade expectations of the same instant.
MANAGEMENT = {
    ("cart-p1-post-sct-relapse", "2013-05-12T12:00:00Z"): (
        {"crs-management": "supportive-care+tocilizumab+dexamethasone+icu+refractory-options", "dexamethasone-dose-mg": 10},
        "Management: grade 3 -> tocilizumab + dexamethasone 0.5 mg/kg x 52 kg = 26 mg capped at 10 mg q6h, ICU; "
        "refractory options named, none given yet."),
    ("cart-p1-post-sct-relapse", "2013-05-12T23:00:00Z"): (
        {"crs-management": "supportive-care+tocilizumab+methylprednisolone-high-dose+icu+refractory-options",
         "methylprednisolone-dose-mg": 1000},
        "Management: grade 4 -> tocilizumab + methylprednisolone 30 mg/kg x 52 kg = 1,560 mg capped at 1,000 mg/day, ICU; "
        "tocilizumab and methylprednisolone only 8.5 h ago, so not yet refractory."),
    ("cart-p1-post-sct-relapse", "2013-05-13T23:00:00Z"): (
        {"crs-management": "supportive-care+tocilizumab+methylprednisolone-high-dose+icu+anakinra+siltuximab+ruxolitinib",
         "anakinra-dose-mg": 100, "siltuximab-dose-mg": 572, "ruxolitinib-dose-mg": 10},
        "Management: still grade 4 (not improving) > 24 h after tocilizumab (day 5 14:30) and methylprednisolone -> "
        "refractory: anakinra 2 mg/kg = 104 capped 100 mg, siltuximab 11 mg/kg = 572 mg, ruxolitinib 0.5 mg/kg = 26 capped 10 mg."),
    ("cart-p1-post-sct-relapse", "2013-05-14T23:00:00Z"): (
        {"crs-management": "supportive-care+tocilizumab+dexamethasone+icu+refractory-options"},
        "Management: grade 3 but improving (worst 4) -> not refractory; dexamethasone per grade 3, ICU."),
    ("cart-p1-post-sct-relapse", "2013-05-15T23:00:00Z"): (
        {"crs-management": "supportive-care+tocilizumab"},
        "Management: grade 2, improving, corticosteroids already given -> tocilizumab per grade 2 only."),
    ("cart-p1-post-sct-relapse", "2013-05-18T23:00:00Z"): ({}, "No CRS: no management advice.", ["crs-management"]),
    ("cart-p2-cns-relapse", "2013-03-23T23:00:00Z"): (
        {"crs-management": "supportive-care+tocilizumab-if-persistent", "icans-management": "neuro-supportive-care+dexamethasone",
         "dexamethasone-dose-mg": 10},
        "Management: CRS 1 on its first day -> supportive care, tocilizumab only if fever > 3 days; ICANS 2 -> "
        "dexamethasone 0.5 mg/kg x 38.2 kg = 19.1 capped at 10 mg q12h."),
    ("cart-p2-cns-relapse", "2013-03-24T12:00:00Z"): (
        {"crs-management": "supportive-care+tocilizumab-if-persistent", "icans-management": "neuro-supportive-care+dexamethasone"},
        "Management: fever on days 4-5 only (2 days) -> not persistent; ICANS 2 -> dexamethasone q12h."),
    ("cart-p3-primary-refractory", "2015-01-16T23:00:00Z"): (
        {"crs-management": "supportive-care+tocilizumab-if-persistent"},
        "Management: fever on days 2-3 (2 days, not > 3) -> supportive care; tocilizumab if it persists."),
    ("cart-p4-down-syndrome", "2016-05-15T23:00:00Z"): (
        {"crs-management": "supportive-care+tocilizumab+dexamethasone-if-refractory"},
        "Management: grade 2, no tocilizumab yet -> tocilizumab 12 mg/kg; dexamethasone only if no improvement within 24 h."),
    ("cart-p4-down-syndrome", "2016-05-18T23:00:00Z"): (
        {"icans-management": "neuro-supportive-care+dexamethasone+icu+levetiracetam-loading", "dexamethasone-dose-mg": 10},
        "Management: ICANS 3 (seizure) -> dexamethasone 0.5 mg/kg x 29.9 kg = 14.95 capped at 10 mg q6h, ICU; "
        "levetiracetam already given after the seizure -> no second loading dose (text only)."),
}


def with_management(cases: list[dict]) -> list[dict]:
    for case in cases:
        key = (case["patientId"], case["now"])
        if case["service"] != "cart-toxicity" or key not in MANAGEMENT:
            continue
        expect, why, *absent = MANAGEMENT[key]
        case["expect"].update(expect)
        case["why"] += " " + why
        if absent:
            case["expectAbsent"] = case.get("expectAbsent", []) + absent[0]
    return cases


def main() -> None:
    journeys = [p1(), p2(), p3(), p4(), e1(), e1b(), e2(), e3(), e3b(), e4(), e5(), e6(), e7()]
    seen: set[str] = set()
    for j in journeys:
        dup = seen & j.ids
        assert not dup, dup
        seen |= j.ids
        j.write()
    with open(os.path.join(HERE, "expectations.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(with_management(expectations()), f, ensure_ascii=False, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
