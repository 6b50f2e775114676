//! Turning one measurement into the bytes a model sends: Tanita key/value frames (with the
//! model's control prefix, key set and `CS` checksum), A&D standard lines and the WB-110 legacy
//! line. Pure formatting: which frame to send when, and faults, are [`super::device`]'s job.

use crate::scale::checksum::{format_hex2, sum8};
use crate::scale::models::ModelProfile;
use crate::sim::body::{Body, PATH_LETTERS, SEGMENT_LETTERS};
use crate::sim::clock::DeviceClock;

/// Identity fields a frame may carry besides the body values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameContext {
    /// `SN` (only models that print it: SC-240, DC-320).
    pub serial_number: String,
    /// `ID` result number digits, already padded for the model.
    pub id: String,
    /// The device clock at the time of the measurement.
    pub clock: DeviceClock,
}

/// Builds one key/value frame; [`KvFrame::finish`] appends `CS,HH` and CR LF.
#[derive(Debug)]
pub struct KvFrame {
    text: String,
}

impl KvFrame {
    /// A frame starting with the model's control prefix, e.g. `{0,16,~0,1`.
    pub fn new(control: &str) -> KvFrame {
        KvFrame {
            text: control.to_owned(),
        }
    }

    /// `,KEY,"text"`.
    pub fn quoted(&mut self, key: &str, value: &str) -> &mut Self {
        self.text.push_str(&format!(",{key},\"{value}\""));
        self
    }

    /// `,KEY,12.3` (one decimal).
    pub fn d1(&mut self, key: &str, value: f64) -> &mut Self {
        self.text.push_str(&format!(",{key},{:.1}", value + 0.0));
        self
    }

    /// `,KEY,0.77` (two decimals).
    pub fn d2(&mut self, key: &str, value: f64) -> &mut Self {
        self.text.push_str(&format!(",{key},{:.2}", value + 0.0));
        self
    }

    /// `,KEY,-1` (integer).
    pub fn int(&mut self, key: &str, value: i64) -> &mut Self {
        self.text.push_str(&format!(",{key},{value}"));
        self
    }

    /// Appends `,CS,HH` CR LF. With `corrupt`, the checksum is off by one (a fault).
    pub fn finish(&self, corrupt: bool) -> Vec<u8> {
        let mut bytes = self.text.clone().into_bytes();
        bytes.push(b',');
        let mut sum = sum8(&bytes);
        if corrupt {
            sum = sum.wrapping_add(1);
        }
        bytes.extend_from_slice(b"CS,");
        bytes.extend_from_slice(&format_hex2(sum));
        bytes.extend_from_slice(b"\r\n");
        bytes
    }
}

fn head(f: &mut KvFrame, b: &Body) {
    f.int("Bt", i64::from(b.body_type.code()))
        .int("GE", i64::from(b.sex.code()))
        .int("AG", i64::from(b.age))
        .d1("Hm", b.height)
        .d1("Pt", b.clothes)
        .d1("Wk", b.weight)
        .d1("FW", b.fat_percent)
        .d1("fW", b.fat_mass)
        .d1("MW", b.fat_free_mass)
        .d1("mW", b.muscle_mass);
}

fn segments(f: &mut KvFrame, b: &Body) {
    for (s, seg) in SEGMENT_LETTERS.iter().zip(&b.segments) {
        f.d1(&format!("F{s}"), seg.fat_percent)
            .d1(&format!("f{s}"), seg.fat_mass)
            .d1(&format!("M{s}"), seg.fat_free_mass)
            .d1(&format!("m{s}"), seg.muscle_mass)
            .int(&format!("S{s}"), seg.fat_score)
            .int(&format!("s{s}"), seg.muscle_score);
    }
}

fn impedances(f: &mut KvFrame, b: &Body, paths: usize) {
    for (p, z) in PATH_LETTERS.iter().zip(&b.paths).take(paths) {
        // 1, 500 and 1000 kHz slots are reserved on the MC-780 and print 0.0 (reference §2.1).
        f.d1(&format!("a{p}"), 0.0)
            .d1(&format!("c{p}"), 0.0)
            .d1(&format!("G{p}"), z.r5)
            .d1(&format!("H{p}"), z.x5)
            .d1(&format!("R{p}"), z.r50)
            .d1(&format!("X{p}"), z.x50)
            .d1(&format!("J{p}"), z.r250)
            .d1(&format!("K{p}"), z.x250);
        for q in ['L', 'Q', 'i', 'j'] {
            f.d1(&format!("{q}{p}"), 0.0);
        }
    }
    for (p, z) in PATH_LETTERS.iter().zip(&b.paths).take(paths) {
        f.d1(&format!("p{p}"), z.phase);
    }
}

/// MC-780A body-composition frame, key set and order of fixture F1.
pub fn mc780(profile: &ModelProfile, b: &Body, ctx: &FrameContext, corrupt: bool) -> Vec<u8> {
    let mut f = KvFrame::new(profile.control);
    f.quoted("MO", profile.model)
        .quoted("ID", &ctx.id)
        .int("St", 0)
        .quoted("CC", "0000000000000000")
        .quoted("DT", &ctx.clock.ymd())
        .quoted("TI", &ctx.clock.hm());
    head(&mut f, b);
    f.int("sW", b.muscle_score)
        .d1("bW", b.bone_mass)
        .d1("wW", b.water)
        .d1("ww", b.water_percent)
        .d1("MI", b.bmi)
        .d1("Sf", b.standard_fat)
        .int("IF", b.visceral)
        .int("LP", b.leg_score)
        .int("rB", b.bmr_kcal)
        .int("rJ", b.bmr_score)
        .int("BA", b.balance_arms)
        .int("BF", b.balance_legs)
        .int("Ap", b.athlete_index)
        .int("gF", b.target_fat)
        .d1("gW", b.predicted_weight)
        .d1("gf", b.predicted_fat)
        .d1("gt", b.fat_to_target);
    segments(&mut f, b);
    impedances(&mut f, b, 7);
    f.d2("mh", b.muscle_per_h2)
        .d2("mb", b.muscle_per_weight)
        .d2("ah", b.smi)
        .d2("ab", b.appendicular_per_weight)
        .d1("AS", b.appendicular);
    f.finish(corrupt)
}

/// MC-980 / MC-780MA-style frame (the 2019 capture's key set: water split, `Sw`/`OV`, `rb`,
/// six impedance paths without `M`).
pub fn mc980(profile: &ModelProfile, b: &Body, ctx: &FrameContext, corrupt: bool) -> Vec<u8> {
    let mut f = KvFrame::new(profile.control);
    f.quoted("MO", profile.model)
        .quoted("ID", &ctx.id)
        .int("St", 0)
        .quoted("Da", &ctx.clock.dmy())
        .quoted("TI", &ctx.clock.hm());
    head(&mut f, b);
    f.int("sW", b.muscle_score)
        .d1("bW", b.bone_mass)
        .d1("wW", b.water)
        .d1("ww", b.water_percent)
        .d1("wI", b.intracellular_water)
        .d1("wO", b.extracellular_water)
        .d1("wo", b.extracellular_ratio)
        .d1("MI", b.bmi)
        .d1("Sw", b.standard_weight)
        .d1("OV", b.obesity)
        .d1("Sf", b.standard_fat)
        .d1("SM", b.standard_muscle)
        .int("IF", b.visceral)
        .int("LP", b.leg_score)
        .int("rb", b.bmr_kj)
        .int("rB", b.bmr_kcal)
        .int("rJ", b.bmr_score)
        .int("rA", b.metabolic_age)
        .int("BA", b.balance_arms)
        .int("BF", b.balance_legs)
        .int("gF", b.target_fat)
        .d1("gW", b.predicted_weight)
        .d1("gf", b.predicted_fat)
        .d1("gt", b.fat_to_target);
    segments(&mut f, b);
    impedances(&mut f, b, 6);
    f.finish(corrupt)
}

/// SC-240 whole-body frame, key set and order of fixture F5.
pub fn sc240(profile: &ModelProfile, b: &Body, ctx: &FrameContext, corrupt: bool) -> Vec<u8> {
    let mut f = KvFrame::new(profile.control);
    f.quoted("MO", profile.model)
        .quoted("SN", &ctx.serial_number);
    head(&mut f, b);
    f.int("sW", b.muscle_score_24)
        .d1("bW", b.bone_mass)
        .d1("wW", b.water)
        .d1("ww", b.water_percent)
        .d1("MI", b.bmi)
        .d1("Sw", b.standard_weight)
        .d1("OV", b.obesity)
        .int("IF", b.visceral)
        .int("rb", b.bmr_kj)
        .int("rB", b.bmr_kcal)
        .int("rJ", b.bmr_score)
        .int("rA", b.metabolic_age)
        .d1("ZF", b.paths[5].r50);
    f.finish(corrupt)
}

/// DC-320 foot-to-foot frame (reference §2.2 key set; reactance positive on this model).
pub fn dc320(profile: &ModelProfile, b: &Body, ctx: &FrameContext, corrupt: bool) -> Vec<u8> {
    let mut f = KvFrame::new(profile.control);
    f.quoted("MO", profile.model)
        .quoted("SN", &ctx.serial_number)
        .quoted("ID", &ctx.id)
        .quoted("DA", &ctx.clock.yymd())
        .quoted("TI", &ctx.clock.hm());
    head(&mut f, b);
    let legs = &b.paths[5];
    f.int("sW", b.muscle_score)
        .d1("bW", b.bone_mass)
        .d1("wW", b.water)
        .d1("MI", b.bmi)
        .d1("Sw", b.standard_weight)
        .d1("OV", b.obesity)
        .int("IF", b.visceral)
        .int("LP", b.leg_score)
        .int("rB", b.bmr_kcal)
        .int("rJ", b.bmr_score)
        .int("rA", b.metabolic_age)
        .d1("UF", legs.r250)
        .d1("VF", -legs.x250)
        .d1("RF", legs.r50)
        .d1("XF", -legs.x50);
    f.finish(corrupt)
}

/// PW-650 weight frame, key set and order of fixture F6 (`Wk` net of `Pt` and `Ta`).
pub fn pw650(profile: &ModelProfile, b: &Body, ctx: &FrameContext, corrupt: bool) -> Vec<u8> {
    let mut f = KvFrame::new(profile.control);
    f.quoted("MO", profile.model)
        .quoted("Da", &ctx.clock.dmy())
        .quoted("TI", &ctx.clock.hm())
        .d1("Wk", b.weight)
        .d1("Pt", b.clothes)
        .d1("Ta", 0.0);
    f.finish(corrupt)
}

/// A&D standard format line, `ST,GS,+0065.30kg` CR LF (`US` while settling).
pub fn and_standard(stable: bool, kg: f64) -> Vec<u8> {
    let head = if stable { "ST" } else { "US" };
    format!("{head},GS,{:+08.2}kg\r\n", kg + 0.0).into_bytes()
}

/// Tanita WB-100/110 line: `S␣` stable / `SD` unstable, two spaces, weight right-aligned in 6,
/// `kg`, CR LF — e.g. `S     75.0kg`.
pub fn tanita_legacy(stable: bool, kg: f64) -> Vec<u8> {
    let head = if stable { "S " } else { "SD" };
    format!("{head}  {:>6.1}kg\r\n", kg + 0.0).into_bytes()
}

/// `F0,Wk,65.6` CR LF: the DC-320 weight-only reply.
pub fn dc_weight_only(kg: f64) -> Vec<u8> {
    format!("F0,Wk,{:.1}\r\n", kg + 0.0).into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weight_lines_have_reference_shapes() {
        assert_eq!(and_standard(true, 65.3), b"ST,GS,+0065.30kg\r\n");
        assert_eq!(and_standard(false, 123.45), b"US,GS,+0123.45kg\r\n");
        assert_eq!(tanita_legacy(true, 75.0), b"S     75.0kg\r\n");
        assert_eq!(tanita_legacy(false, 75.0), b"SD    75.0kg\r\n");
    }

    #[test]
    fn builder_reproduces_fixture_f6() {
        let mut f = KvFrame::new("{0,16,~0,1");
        f.quoted("MO", "PW-650")
            .quoted("Da", "30/04/2020")
            .quoted("TI", "20:02")
            .d1("Wk", 58.1)
            .d1("Pt", 2.0)
            .d1("Ta", 0.0);
        assert_eq!(
            f.finish(false),
            b"{0,16,~0,1,MO,\"PW-650\",Da,\"30/04/2020\",TI,\"20:02\",Wk,58.1,Pt,2.0,Ta,0.0,CS,D6\r\n"
        );
        assert!(f.d1("x", -0.0).text.ends_with(",x,0.0"));
    }
}
