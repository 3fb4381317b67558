//! Plain JavaScript objects (options, tickets, policies in; events and status out) to and
//! from `serde_json::Value`, by hand: serde-wasm-bindgen and serde_json's text reader and
//! writer stay out of the console-only wasm: 6.5 KB gzip of wasm and glue, measured on
//! the console-only build.

use serde_json::{Map, Number, Value};
use wasm_bindgen::{JsCast, JsValue};

/// A plain JavaScript object read as `T`, through a `Value` (whose reader the wasm has
/// anyway; `JSON.stringify` and serde_json's text reader cost 6 KB gzip more).
pub fn from_js<T: serde::de::DeserializeOwned>(value: &JsValue) -> Result<T, String> {
    let value = to_json(value, 0).ok_or_else(|| "it is not plain data".to_string())?;
    serde_json::from_value(value).map_err(|e| e.to_string())
}

/// A JSON value as a plain JavaScript object, built directly.
pub fn to_js(v: &Value) -> JsValue {
    match v {
        Value::Null => JsValue::NULL,
        Value::Bool(b) => JsValue::from_bool(*b),
        Value::Number(n) => JsValue::from_f64(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => JsValue::from_str(s),
        Value::Array(a) => a.iter().map(to_js).collect::<js_sys::Array>().into(),
        Value::Object(o) => {
            let object = js_sys::Object::new();
            for (k, x) in o {
                let _ = js_sys::Reflect::set(&object, &JsValue::from_str(k), &to_js(x));
            }
            object.into()
        }
    }
}

/// Plain data only: `undefined` is null (as a missing field), functions, symbols and
/// BigInts are refused, and nesting stops at 16 levels (which also ends a cycle).
pub fn to_json(v: &JsValue, depth: u8) -> Option<Value> {
    if v.is_null() || v.is_undefined() {
        return Some(Value::Null);
    }
    if let Some(b) = v.as_bool() {
        return Some(Value::Bool(b));
    }
    if let Some(n) = v.as_f64() {
        let int = n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0;
        return Some(if int { Value::from(n as i64) } else { Number::from_f64(n).map_or(Value::Null, Value::Number) });
    }
    if let Some(s) = v.as_string() {
        return Some(Value::String(s));
    }
    if depth >= 16 || !v.is_object() || v.is_function() {
        return None;
    }
    if js_sys::Array::is_array(v) {
        let a = js_sys::Array::from(v);
        return a.iter().map(|x| to_json(&x, depth + 1)).collect::<Option<Vec<_>>>().map(Value::Array);
    }
    let mut map = Map::new();
    for key in js_sys::Object::keys(v.unchecked_ref::<js_sys::Object>()).iter() {
        let k = key.as_string()?;
        let x = js_sys::Reflect::get(v, &key).ok()?;
        if !x.is_undefined() {
            map.insert(k, to_json(&x, depth + 1)?);
        }
    }
    Some(Value::Object(map))
}
