//! Hextile (5): 16×16 tiles, each raw or background + sub-rectangles. Tiles are
//! decoded one at a time; background and foreground carry over from tile to tile.

use super::{pixel, Ctx, Progress, RectState};
use crate::rfb::error::RfbError;
use crate::rfb::framebuffer::Rect;
use crate::rfb::reader::{Parsed, Reader, Stop};

const RAW: u8 = 1;
const BACKGROUND: u8 = 2;
const FOREGROUND: u8 = 4;
const ANY_SUBRECTS: u8 = 8;
const SUBRECTS_COLOURED: u8 = 16;

pub fn decode(r: &mut Reader, t: &mut Ctx) -> Parsed<Progress> {
    let (mut tile, mut bg, mut fg) = match t.state {
        RectState::Hextile { tile, bg, fg } => (*tile, *bg, *fg),
        _ => (0, [0, 0, 0, 255], [0, 0, 0, 255]),
    };
    let tiles_x = t.rect.w.div_ceil(16);
    let total = tiles_x * t.rect.h.div_ceil(16);
    let bpp = t.pf.bytes_per_pixel();
    let mut progressed = false;
    while tile < total {
        let tx = t.rect.x + (tile % tiles_x) * 16;
        let ty = t.rect.y + (tile / tiles_x) * 16;
        let tw = 16.min(t.rect.x + t.rect.w - tx);
        let th = 16.min(t.rect.y + t.rect.h - ty);
        let tile_rect = Rect::new(tx, ty, tw, th);
        // Parse the whole tile on a copy of the reader; keep it only when the tile is complete.
        let mut tr = r.clone();
        let parsed = (|r: &mut Reader| -> Result<Option<TileOps>, RfbError> {
            let Ok(sub) = r.u8() else { return Ok(None) };
            if sub & RAW != 0 {
                let Ok(px) = r.bytes(tw as usize * th as usize * bpp) else { return Ok(None) };
                return Ok(Some(TileOps::Raw(px.to_vec())));
            }
            let mut ops = Vec::new();
            let (mut nbg, mut nfg) = (bg, fg);
            if sub & BACKGROUND != 0 {
                let Ok(b) = r.bytes(bpp) else { return Ok(None) };
                nbg = pixel(t.pf, b);
            }
            if sub & FOREGROUND != 0 {
                let Ok(b) = r.bytes(bpp) else { return Ok(None) };
                nfg = pixel(t.pf, b);
            }
            if sub & ANY_SUBRECTS != 0 {
                let Ok(n) = r.u8() else { return Ok(None) };
                for _ in 0..n {
                    let colour = if sub & SUBRECTS_COLOURED != 0 {
                        let Ok(b) = r.bytes(bpp) else { return Ok(None) };
                        pixel(t.pf, b)
                    } else {
                        nfg
                    };
                    let (Ok(xy), Ok(wh)) = (r.u8(), r.u8()) else { return Ok(None) };
                    let (sx, sy) = ((xy >> 4) as u32, (xy & 15) as u32);
                    let (sw, sh) = ((wh >> 4) as u32 + 1, (wh & 15) as u32 + 1);
                    if sx + sw > tw || sy + sh > th {
                        return Err(RfbError::Malformed("hextile: sub-rectangle outside its tile"));
                    }
                    ops.push((Rect::new(tx + sx, ty + sy, sw, sh), colour));
                }
            }
            Ok(Some(TileOps::Fill { bg: nbg, fg: nfg, subrects: ops }))
        })(&mut tr)?;
        let Some(ops) = parsed else { break };
        *r = tr;
        match ops {
            TileOps::Raw(px) => {
                for row in 0..th {
                    let src = &px[(row * tw) as usize * bpp..((row + 1) * tw) as usize * bpp];
                    t.pf.to_rgba(src, t.fb.row_mut(tile_rect, row));
                }
                t.fb.add_damage(tile_rect);
            }
            TileOps::Fill { bg: nbg, fg: nfg, subrects } => {
                bg = nbg;
                fg = nfg;
                // One damage for the tile: its sub-rectangles lie inside it (checked above).
                t.fb.fill_within(tile_rect, bg);
                for (rect, colour) in subrects {
                    t.fb.fill_within(rect, colour);
                }
                t.fb.add_damage(tile_rect);
            }
        }
        tile += 1;
        progressed = true;
    }
    if tile == total {
        return Ok(Progress::Done);
    }
    if !progressed {
        return Err(Stop::NeedMore);
    }
    *t.state = RectState::Hextile { tile, bg, fg };
    Ok(Progress::Partial)
}

enum TileOps {
    Raw(Vec<u8>),
    Fill { bg: [u8; 4], fg: [u8; 4], subrects: Vec<(Rect, [u8; 4])> },
}
